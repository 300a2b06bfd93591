"""tasks.due_date (branch a)

Revision ID: br_a2
Revises: br_a1
Create Date: 2026-04-03 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_a2"
down_revision = "br_a1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tasks", sa.Column("due_date", sa.Date(), nullable=True))
    op.create_index("ix_tasks_due_date", "tasks", ["due_date"])


def downgrade():
    op.drop_index("ix_tasks_due_date", table_name="tasks")
    op.drop_column("tasks", "due_date")
