"""Users and tokens API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, status

from liaison.api.deps import DbDep, SettingsDep
from liaison.kit.inputs import IdPath, UsernamePath
from liaison.users import service
from liaison.users.deps import CallerDep
from liaison.users.repository import UserRepository
from liaison.users.schemas import (
    PreferencesOut,
    PreferencesUpdate,
    RoleChange,
    TokenCreate,
    TokenIssued,
    TokenOut,
    UserCreate,
    UserOut,
)

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.get("/me", response_model=UserOut)
def me(db: DbDep, caller: CallerDep) -> UserOut:
    return UserOut.model_validate(service.get_user(db, caller, caller.username))


@router.get("/me/preferences", response_model=PreferencesOut)
def my_preferences(db: DbDep, caller: CallerDep) -> PreferencesOut:
    """Your time zone (times in pages are shown, and read from forms, in it) and language."""
    return service.preferences(db, caller)


@router.put("/me/preferences", response_model=PreferencesOut)
def set_my_preferences(data: PreferencesUpdate, db: DbDep, caller: CallerDep) -> PreferencesOut:
    return service.set_preferences(db, caller, data)


@router.get("/users", response_model=list[UserOut])
def list_users(db: DbDep, caller: CallerDep) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in UserRepository(db, caller).list()]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, db: DbDep, caller: CallerDep) -> UserOut:
    return UserOut.model_validate(service.create_user(db, caller, data))


@router.get("/users/{username}", response_model=UserOut)
def get_user(username: UsernamePath, db: DbDep, caller: CallerDep) -> UserOut:
    return UserOut.model_validate(service.get_user(db, caller, username))


@router.put("/users/{username}/role", response_model=UserOut)
def set_role(username: UsernamePath, data: RoleChange, db: DbDep, caller: CallerDep) -> UserOut:
    return UserOut.model_validate(service.set_role(db, caller, username, data.role))


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(db: DbDep, caller: CallerDep) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in service.list_tokens(db, caller)]


@router.post("/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def issue_token(
    data: TokenCreate, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> TokenIssued:
    token, plaintext = service.issue_token(db, settings.secret_key, caller, caller.username, data)
    return TokenIssued.model_validate(
        {**TokenOut.model_validate(token).model_dump(), "token": plaintext}
    )


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: IdPath, db: DbDep, caller: CallerDep) -> TokenOut:
    return TokenOut.model_validate(service.revoke_token(db, caller, token_id))
