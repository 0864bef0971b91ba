"""Stored emails and room names take the one spelling new ones get.

Emails are now kept with their domain in IDNA ASCII form, room names and buildings in NFKC:
rows stored before would otherwise miss every look-up (an account with a Unicode domain could
no longer sign in). A row whose new spelling is already taken by another is left as it is and
named in the output, for an admin to settle: merging two accounts or rooms is not a guess a
migration can make. The transformation is written out here, not imported, so that this
revision keeps doing what it did whatever the code does later.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id", sa.Uuid), sa.column("email", sa.String))
rooms = sa.table(
    "rooms",
    sa.column("id", sa.Uuid),
    sa.column("name", sa.String),
    sa.column("building", sa.String),
)


def ascii_domain(email: str) -> str:
    local, _, domain = email.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii').lower()}"
    except UnicodeError:  # not a domain IDNA can write: keep it as it is
        return email


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def upgrade() -> None:
    connection = op.get_bind()

    emails = {row.id: row.email for row in connection.execute(sa.select(users))}
    taken = set(emails.values())
    for user_id, email in emails.items():
        folded = ascii_domain(email)
        if folded == email:
            continue
        if folded in taken:
            print(f"0006: left user {user_id} as {email!r}: {folded!r} is another account")
            continue
        connection.execute(users.update().where(users.c.id == user_id).values(email=folded))
        taken.add(folded)

    stored = list(connection.execute(sa.select(rooms)))
    names = {row.name.lower() for row in stored}
    for row in stored:
        name, building = nfkc(row.name), nfkc(row.building)
        if name != row.name and name.lower() in names:
            print(f"0006: left room {row.id} named {row.name!r}: {name!r} is another room")
            name = row.name
        if (name, building) != (row.name, row.building):
            connection.execute(
                rooms.update().where(rooms.c.id == row.id).values(name=name, building=building)
            )
            names.add(name.lower())


def downgrade() -> None:
    """Nothing to undo: the old code reads the new spellings as it reads any other."""
