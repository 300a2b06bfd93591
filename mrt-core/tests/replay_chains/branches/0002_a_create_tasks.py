"""tasks (branch a)

Revision ID: br_a1
Revises: br_base
Create Date: 2026-04-02 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_a1"
down_revision = "br_base"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
    )


def downgrade():
    op.drop_table("tasks")
