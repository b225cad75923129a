"""User-facing errors: a message that names the key and the allowed values, no traceback."""


class TriadError(Exception):
    """Base class for mistakes in the user's input; the CLI prints the message and exits 2."""

    exit_code = 2


class ConfigError(TriadError):
    """A configuration value is missing, of the wrong type, or out of range."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(f"{key}: {message}")


class EventError(TriadError):
    """An event file or event entry is invalid."""
