"""training scheduling: CSM availability, exceptions, sessions with a seat counter, bookings

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "training_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("csm_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("meeting_url", sa.String(500), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_training_availability_csm_id", "training_availability", ["csm_id"], unique=False
    )

    op.create_table(
        "training_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("csm_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=True),
        sa.Column("ends", sa.Time(), nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_training_exceptions_csm_id", "training_exceptions", ["csm_id"])
    op.create_index("ix_training_exceptions_day", "training_exceptions", ["day"])

    op.create_table(
        "training_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("csm_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("starts_at", _utc(), nullable=False),
        sa.Column("ends_at", _utc(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("meeting_url", sa.String(500), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("csm_id", "starts_at"),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="ck_slot_seats"),
    )
    op.create_index("ix_training_slots_starts", "training_slots", ["status", "starts_at"])

    op.create_table(
        "training_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(120), nullable=False),
        sa.Column("slot_id", sa.Integer(), sa.ForeignKey("training_slots.id"), nullable=False),
        sa.Column("onboarding_id", sa.Integer(), sa.ForeignKey("onboardings.id"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("attendee_email", sa.String(254), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("cancelled_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_index("ix_training_bookings_slot_id", "training_bookings", ["slot_id"])
    op.create_index(
        "ux_training_bookings_active",
        "training_bookings",
        ["onboarding_id"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )


def downgrade() -> None:
    op.drop_index("ux_training_bookings_active", table_name="training_bookings")
    op.drop_index("ix_training_bookings_slot_id", table_name="training_bookings")
    op.drop_table("training_bookings")
    op.drop_index("ix_training_slots_starts", table_name="training_slots")
    op.drop_table("training_slots")
    op.drop_index("ix_training_exceptions_day", table_name="training_exceptions")
    op.drop_index("ix_training_exceptions_csm_id", table_name="training_exceptions")
    op.drop_table("training_exceptions")
    op.drop_index("ix_training_availability_csm_id", table_name="training_availability")
    op.drop_table("training_availability")
