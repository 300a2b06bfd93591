"""create teams and accounts

Revision ID: batch_01
Revises:
Create Date: 2026-02-01 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "batch_01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("nickname", sa.String(length=40), nullable=True),
        sa.Column("legacy_code", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False, server_default="active"),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", name="uq_accounts_email"),
    )
    op.create_index("ix_accounts_status", "accounts", ["status"])


def downgrade():
    op.drop_index("ix_accounts_status", table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("teams")
