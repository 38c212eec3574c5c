"""The Lambda layers (engine, solver): `python -m infra.layer.build`."""
