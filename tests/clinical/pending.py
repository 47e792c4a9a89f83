"""What shared/ asks that the pack does not do yet, named exactly.

`shared/clinical/REFERENCE.md` and `shared/spec/triage-json.md` moved to
revision 3 while the pack still implements revision 2; issue #19 brings
revision 3. Until then the coverage and contract tests check that the gaps
are exactly these, no more and no fewer: anything else missing fails, and
so does a gap closed without being struck off here.
"""

from __future__ import annotations

# Finding ids revision 3 adds (S22 pneumonitis, S23 falls).
PENDING_IDS = frozenset({"S22", "S23"})

# Answers revision 3 adds to the contract: symptom id -> fields.
PENDING_FIELDS: dict[str, set[str]] = {
    "back_pain": {"level", "worse_on_straining"},
    "shortness_of_breath": {"worse_lying_flat"},
    "fall": {"present", "hit_head"},
    "wants_call": {"present"},
}

# Findings of the contract's example whose explanation revision 3 rewords
# (M1 looks back 28 days; S4 names the red-flag questions not asked).
PENDING_EXPLANATIONS = frozenset({"M1", "S4"})
