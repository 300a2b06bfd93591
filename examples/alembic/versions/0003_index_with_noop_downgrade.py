"""index users by email

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-02 14:00:00
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_users_email", "users", ["email"], unique=True)


def downgrade() -> None:
    pass
