"""labels, after the merge

Revision ID: br_post
Revises: br_merge
Create Date: 2026-04-05 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_post"
down_revision = "br_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=40), nullable=False, server_default="new"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_labels_project_id_projects"),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name="fk_labels_task_id_tasks", ondelete="SET NULL"),
    )
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=200), type_=sa.String(length=255), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=255), type_=sa.String(length=200), existing_nullable=False)
    op.drop_table("labels")
