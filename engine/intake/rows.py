"""From a table's rows to engine participants: ids, names, answers, and what stays unsaid.

Choices where the spec is silent:

- the id comes, row by row, from the id column, else the email column (trimmed and lower
  case, since addresses do not differ by case), else the row number (`row-N`); so a row
  whose id cell is blank still has an id, and a clash is refused like any other;
- first and last name columns make the name when there is no full-name column (or its cell
  is blank);
- an answer is kept as written (trimmed); the engine reads it, and an answer it cannot read
  sends that person to the unassigned queue as `invalid-profile`, as for any participant;
- in a column whose header asks about allergies ("Allergies", "אלרגיות", "Food allergies"),
  an item that is only known allergen names ("Peanuts", "tree nuts and sesame", "severe
  sesame"), which the engine would keep as a plain restriction for want of a marker, is
  an allergy: the header is its marker, as the spec's continuation rule lets an allergy
  item carry on into the next. The item is passed on with " (allergy)" (Hebrew:
  " (אלרגיה)") after it, so the engine, and the check, read it as one. Anything else
  ("gluten free", "kiwi") stays a restriction, as the engine reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal

from engine.grouping.survey import vocabulary
from engine.grouping.survey.allergies import read_restrictions
from engine.grouping.survey.text import Lexicon, split_items, words
from engine.intake.columns import ColumnReading
from engine.intake.errors import ExportRefusedError
from engine.intake.headers import Field
from engine.intake.table import Table, TableRow
from engine.intake.text import mentions_allergy

IdSource = Literal["id", "email", "row"]
MAX_ROWS_NAMED: Final = 5
_HEBREW = frozenset(chr(code) for code in range(0x05D0, 0x05EB))
CONJUNCTIONS: Final = ("and", "or", "plus", "as well as", "או", "וגם", "גם")


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One person read from one row: the participant, where its id came from, and the
    reader's own problems with its cells (field, problem)."""

    number: int
    participant: dict[str, Any]
    id_from: IdSource
    not_read: tuple[tuple[str, str], ...] = ()


def is_empty(cell: object) -> bool:
    """Whether a cell says nothing: None, blank text, or a list or object of such."""
    if type(cell) is str:  # the common case first: every CSV cell is text
        return not cell.strip()
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    if isinstance(cell, list | tuple | dict):
        return all(is_empty(part) for part in (cell.values() if isinstance(cell, dict) else cell))
    return False


def cell_text(cell: object) -> str:
    """A cell as text, to look for markers in (lists and objects joined)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, list | tuple):
        return "\n".join(cell_text(part) for part in cell)
    if isinstance(cell, dict):
        return "\n".join(f"{key}: {cell_text(value)}" for key, value in cell.items())
    return "" if cell is None else str(cell)


class _Columns:
    """Column indexes by field, for reading rows quickly."""

    def __init__(self, columns: Sequence[ColumnReading]) -> None:
        self.by_field: dict[Field, ColumnReading] = {}
        self.index: dict[Field, int] = {}
        self.restrictions: list[ColumnReading] = []
        for column in columns:
            if column.field == "dietary_restrictions":
                self.restrictions.append(column)
            elif column.field is not None:
                self.by_field[column.field] = column
                self.index[column.field] = column.position - 1
        # The answers passed on as they are: (field, column index), for the columns there are.
        self.answers = [
            (field, self.index[field])
            for field in ("age", "birth_date", "kosher", "diet", "sit_with")
            if field in self.index
        ]

    def cell(self, row: TableRow, field: Field) -> Any:
        """The row's answer for `field`, None when there is no such column or it is blank."""
        index = self.index.get(field)
        if index is None:
            return None
        cell = row.cells[index]
        return None if is_empty(cell) else cell


def read_people(
    table: Table, columns: Sequence[ColumnReading]
) -> tuple[list[PersonRow], list[int]]:
    """Each non-empty row as a participant, and the numbers of the empty rows skipped."""
    refuse_hidden_allergies(table, columns)
    plan = _Columns(columns)
    people: list[PersonRow] = []
    skipped: list[int] = []
    for row in table.rows:
        if all(is_empty(cell) for cell in row.cells):
            skipped.append(row.number)
        else:
            people.append(_person(row, plan))
    _refuse_duplicate_ids(people, plan)
    return people, skipped


def refuse_hidden_allergies(table: Table, columns: Sequence[ColumnReading]) -> None:
    """A column left unread whose answers carry an allergy marker refuses the file."""
    for column in columns:
        if column.field is not None or column.how == "ignored":
            continue
        index = column.position - 1
        rows = [row.number for row in table.rows if mentions_allergy(cell_text(row.cells[index]))]
        if rows:
            raise ExportRefusedError(
                f"{column.label} is not read, but its answers mention an allergy "
                f'({rows_phrase(rows)}); map it as "dietary_restrictions" to read them, or as '
                '"ignore" to leave it out on purpose',
                column=column.header,
                rows=tuple(rows),
            )


def rows_phrase(rows: Sequence[int]) -> str:
    shown = ", ".join(str(number) for number in rows[:MAX_ROWS_NAMED])
    more = f" and {len(rows) - MAX_ROWS_NAMED} more" if len(rows) > MAX_ROWS_NAMED else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def _person(row: TableRow, plan: _Columns) -> PersonRow:
    pid, source = _identity(row, plan)
    not_read: list[tuple[str, str]] = []
    person: dict[str, Any] = {"id": pid}
    name = _name(row, plan, not_read)
    if name:
        person["full_name"] = name
    responses: dict[str, Any] = {}
    for field, index in plan.answers:
        value = row.cells[index]
        if type(value) is str:
            value = value.strip()
            if value:
                (person if field in _TOP_LEVEL else responses)[field] = value
        elif not is_empty(value):
            # A value the Participant model cannot hold is left in the answers, where the
            # engine reads it and refuses it by field.
            allowed = _TOP_LEVEL.get(field, ())
            (person if isinstance(value, allowed) else responses)[field] = value
    restrictions = _restrictions(row, plan.restrictions)
    if restrictions is not None:
        responses["dietary_restrictions"] = restrictions
    person["responses"] = responses
    return PersonRow(row.number, person, source, tuple(not_read))


# The participant's own fields, and the values the Participant model holds for each.
_TOP_LEVEL: Final[dict[str, tuple[type, ...]]] = {
    "age": (str, int, float, bool),
    "birth_date": (str,),
}


def _identity(row: TableRow, plan: _Columns) -> tuple[str, IdSource]:
    value = plan.cell(row, "id")
    if value is not None:
        if isinstance(value, str):
            return value.strip(), "id"
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value), "id"
        column = plan.by_field["id"]
        raise ExportRefusedError(
            f"row {row.number}: the id in {column.label} is not text or a whole number; "
            "give that row a plain id",
            column=column.header,
            rows=(row.number,),
        )
    email = plan.cell(row, "email")
    if isinstance(email, str):
        return email.strip().lower(), "email"
    return f"row-{row.number}", "row"


def _name(row: TableRow, plan: _Columns, not_read: list[tuple[str, str]]) -> str | None:
    parts = []
    for field in ("full_name", "first_name", "last_name"):
        value = plan.cell(row, field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            not_read.append((field, "expected text"))
            value = None
        if field == "full_name" and value is not None:
            return " ".join(value.split())
        if value is not None:
            parts.append(value.strip())
    return " ".join(" ".join(parts).split()) or None


def _restrictions(row: TableRow, columns: Sequence[ColumnReading]) -> Any:
    answers: list[Any] = []
    for column in columns:
        cell = row.cells[column.position - 1]
        if is_empty(cell):
            continue
        if len(columns) == 1 and not isinstance(cell, str | list):
            return cell  # not text: the engine refuses it, naming the field
        parts = cell if isinstance(cell, list) else [cell]
        for part in parts:
            if isinstance(part, str):
                part = part.strip()
                answers.append(allergy_answer(part) if column.allergy else part)
            elif part is not None:
                answers.append(part)
    if not answers:
        return None
    single = len(columns) == 1 and isinstance(row.cells[columns[0].position - 1], str)
    return answers[0] if single else answers


def _allergen_lexicon() -> Lexicon[str]:
    entries = {name: "allergen" for names in vocabulary.ALLERGENS.values() for name in names}
    entries.update((phrase, "severity") for s in vocabulary.SEVERITY_WORDS.values() for phrase in s)
    entries.update((phrase, "and") for phrase in CONJUNCTIONS)
    entries.update((phrase, "lookalike") for phrase in vocabulary.LOOKALIKES)
    return Lexicon(entries)


_ALLERGEN_NAMES = _allergen_lexicon()
_BARE = frozenset({"allergen", "severity", "and"})


def bare_allergens(item: str) -> bool:
    """Whether `item` is only known allergen names (with conjunctions or severity words)."""
    spans = _ALLERGEN_NAMES.spans(words(item))
    kinds = {span.value for span in spans}
    return "allergen" in kinds and kinds <= _BARE


@lru_cache(maxsize=16384)
def allergy_answer(answer: str) -> str:
    """An answer to an allergy question with its bare allergen items marked as allergies."""
    _, kept = read_restrictions(answer)
    pending = [item for item in kept if bare_allergens(item)]
    if not pending:
        return answer
    marked = []
    for item in split_items(answer):
        if item in pending:
            pending.remove(item)
            hebrew = any(char in _HEBREW for char in item)
            item = f"{item} ({'אלרגיה' if hebrew else 'allergy'})"
        marked.append(item)
    return "; ".join(marked)


def _refuse_duplicate_ids(people: Sequence[PersonRow], plan: _Columns) -> None:
    first_row: dict[str, PersonRow] = {}
    for person in people:
        pid = person.participant["id"]
        earlier = first_row.setdefault(pid, person)
        if earlier is person:
            continue
        sources = {_source_label(p.id_from, plan) for p in (earlier, person)}
        where = " and ".join(sorted(sources))
        raise ExportRefusedError(
            f"rows {earlier.number} and {person.number} have the same id ({where}); remove the "
            "repeated answer, or give each row its own id",
            rows=(earlier.number, person.number),
        )


def _source_label(source: IdSource, plan: _Columns) -> str:
    if source == "row":
        return "from the row number"
    return f"from {plan.by_field[source].label}"
