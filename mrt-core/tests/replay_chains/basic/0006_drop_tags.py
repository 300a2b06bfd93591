"""drop tags

Revision ID: basic_06
Revises: basic_05
Create Date: 2026-01-10 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "basic_06"
down_revision = "basic_05"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_tags_label", table_name="tags")
    op.drop_table("tags")


def downgrade():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("articles.id", name="fk_tags_post_id_posts"), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.UniqueConstraint("post_id", "label"),
    )
    op.create_index("ix_tags_label", "tags", ["label"])
