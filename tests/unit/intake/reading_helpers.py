"""What the export reader's tests share: reading a CSV as of one day, and a refusal checked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.intake import ExportReading, ExportRefusedError, read_export

AS_OF = date(2026, 12, 1)


def csv_reading(text: str, mapping: dict[str, str] | None = None) -> ExportReading:
    return read_export(text.encode("utf-8"), as_of=AS_OF, mapping=mapping)


def refusal(data: bytes | str, mapping: Any = None) -> ExportRefusedError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(ExportRefusedError) as refused:
        read_export(raw, as_of=AS_OF, mapping=mapping)
    message = str(refused.value)
    assert "\n" not in message and message == message.strip()
    return refused.value
