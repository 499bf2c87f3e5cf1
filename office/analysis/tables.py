"""Tables of the 评 evaluation: court and procuratorate figures the office does not hold itself
(appeal and reversal rates, imported from CSV) and the weights of the score, kept so that a
score can be recomputed and explained later."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class OrganRates(Base):
    """One organ's rates (percent, 0–100) for one period ("2026", "2026-H1", "2026-10")."""
    __tablename__ = "organ_rates"
    organ: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    appeal_rate: Mapped[float] = mapped_column(Float)          # 上诉率
    reversal_rate: Mapped[float] = mapped_column(Float)        # 改判率
    cases: Mapped[int | None] = mapped_column(Integer)          # cases concluded: the base of 信访率
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvaluationWeight(Base):
    """The weight of one score component; the stored weights sum to 1."""
    __tablename__ = "evaluation_weight"
    component: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
