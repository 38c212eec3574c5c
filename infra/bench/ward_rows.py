"""Rows the ward benchmarks start from: a ward and its admin, written as the owner."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg


def insert_managed_ward(conn: psycopg.Connection[Any], name: str, admin_id: uuid.UUID) -> uuid.UUID:
    """A new ward named `name` with `admin_id` (already a user) as its admin."""
    row = conn.execute(
        "insert into public.ward_branches (name) values (%s) returning id", [name]
    ).fetchone()
    assert row is not None
    ward_id: uuid.UUID = row[0]
    conn.execute(
        "insert into public.ward_branch_members (ward_branch_id, user_id, role)"
        " values (%s, %s, 'admin')",
        [ward_id, admin_id],
    )
    return ward_id
