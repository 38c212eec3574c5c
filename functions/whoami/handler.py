"""GET /whoami: who the bearer token says the caller is. Proves the shared seams."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from functions.auth.deps import CallerDep
from functions.web.app import create_app, mangum_handler

router = APIRouter()


class WhoAmI(BaseModel):
    user_id: uuid.UUID
    is_admin: bool


@router.get("/whoami")
def whoami(caller: CallerDep) -> WhoAmI:
    return WhoAmI(user_id=caller.user_id, is_admin=caller.is_admin)


app = create_app("whoami", router)
handler = mangum_handler(app)
