"""create posts and tags

Revision ID: basic_02
Revises: basic_01
Create Date: 2026-01-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "basic_02"
down_revision = "basic_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False, server_default="draft"),
        sa.Column("score", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("user_id", "title", name="uq_posts_user_title"),
        sa.CheckConstraint("length(title) > 0", name="ck_posts_title_not_empty"),
        sa.CheckConstraint("score >= 0"),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id", name="fk_tags_post_id_posts"), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.UniqueConstraint("post_id", "label"),
    )
    op.create_index("ix_tags_label", "tags", ["label"])


def downgrade():
    op.drop_index("ix_tags_label", table_name="tags")
    op.drop_table("tags")
    op.drop_table("posts")
