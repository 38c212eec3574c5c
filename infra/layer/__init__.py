"""The Lambda layer: `python -m infra.layer.build`."""
