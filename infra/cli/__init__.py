"""The `grouping` command (`infra.cli.main:main`): `run` and `demo` live here; `migrate` and
`serve` register from infra.local."""
