"""Configuration: the structured schema, all validation, and the build of the engine settings."""
