"""scheduled jobs (reminders, NPS, nudges, CNPJ look-up retries); company registry; NPS per booking

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=True
        ),
        sa.Column("onboarding_id", sa.Integer(), sa.ForeignKey("onboardings.id"), nullable=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("training_bookings.id"), nullable=True),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", _utc(), nullable=True),
        sa.Column("done_at", _utc(), nullable=True),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_scheduled_jobs_due", "scheduled_jobs", ["status", "due_at"])
    op.create_index("ix_scheduled_jobs_conversation_id", "scheduled_jobs", ["conversation_id"])
    op.create_index("ix_scheduled_jobs_booking_id", "scheduled_jobs", ["booking_id"])
    op.create_table(
        "company_registry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("cnpj", sa.String(14), nullable=False),
        sa.Column("razao_social", sa.String(150), nullable=True),
        sa.Column("nome_fantasia", sa.String(150), nullable=True),
        sa.Column("situacao", sa.String(40), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("cnae_fiscal", sa.String(20), nullable=True),
        sa.Column("porte", sa.String(60), nullable=True),
        sa.Column("simples", sa.Boolean(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("checked_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    with op.batch_alter_table("nps_responses") as batch:
        batch.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_nps_responses_booking", "training_bookings", ["booking_id"], ["id"]
        )
        batch.create_unique_constraint("uq_nps_responses_booking", ["booking_id"])


def downgrade() -> None:
    with op.batch_alter_table("nps_responses") as batch:
        batch.drop_constraint("uq_nps_responses_booking", type_="unique")
        batch.drop_constraint("fk_nps_responses_booking", type_="foreignkey")
        batch.drop_column("booking_id")
    op.drop_table("company_registry")
    op.drop_index("ix_scheduled_jobs_booking_id", table_name="scheduled_jobs")
    op.drop_index("ix_scheduled_jobs_conversation_id", table_name="scheduled_jobs")
    op.drop_index("ix_scheduled_jobs_due", table_name="scheduled_jobs")
    op.drop_table("scheduled_jobs")
