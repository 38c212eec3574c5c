"""From solved pools to the public result: numbered groups, reasons, diagnostics."""
