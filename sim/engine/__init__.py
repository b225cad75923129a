"""The engine: random streams, events (realised per replicate), dynamics, agents, the Mesa model, the ladder and the CAMEO table. No IO beyond the shipped tables, no pandas, no Hydra."""
