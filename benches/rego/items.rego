# Five items of rules/edu-rule-of-law written in Rego, scored as kaohe scores them: a peer
# implementation to compare speed and verdicts with (examples/rego_peer.rs).
#
# Input: a submission as JSON, every register inline as an array of objects keyed by column
# id. Output: `data.kaohe.verdicts`, item id -> {"status": ..., "points": ...}, with kaohe's
# status names (pass, partial, fail, not_applicable, missing_data) and points rounded to 2
# decimals. Stated figures (填报数) are not read: a register that is absent is missing data.
package kaohe

import rego.v1

verdicts := {
	"LVP-01": lvp_01,
	"DEC-02": dec_02,
	"STUDY-01": study_01,
	"GOV-05": gov_05,
	"ENF-04": enf_04,
}

# ---------------------------------------------------------------------------------------
# Reading the submission as kaohe does
# ---------------------------------------------------------------------------------------

# A value is given when it is neither null nor blank text (an empty cell is no value).
given(v) if {
	v != null
	not blank(v)
}

blank(v) if {
	is_string(v)
	trim_space(v) == ""
}

field(row, col) := object.get(row, col, null)

has(row, col) if given(field(row, col))

# A register's rows; undefined when the submission does not provide the register.
register(name) := rows if {
	rows := input.registers[name]
	is_array(rows)
}

provided(name) if register(name)

# A numeric fact; undefined when it is absent or blank.
fact_number(name) := v if {
	v := input.facts[name]
	is_number(v)
}

# An evidence name is given with one document, or a list of at least one.
evidence_given(name) if is_string(input.evidence[name])

evidence_given(name) if {
	docs := input.evidence[name]
	is_array(docs)
	count(docs) > 0
}

# Conditions on rows are written inline (`row.stage in stages`): a user function called per
# row costs about as much as the rest of the row's work. An absent value is undefined and a
# blank one is in no set of enum values, so neither meets a condition, as in kaohe.

# ---------------------------------------------------------------------------------------
# Scoring (src/score.rs)
# ---------------------------------------------------------------------------------------

round2(x) := round(x * 100) / 100

missing_data := {"status": "missing_data", "points": 0}

not_applicable := {"status": "not_applicable", "points": 0}

# A failed standard item that kept `awarded` points: 部分达标 with some, 未达标 with none.
short(awarded) := {"status": "partial", "points": awarded} if awarded > 0

short(awarded) := {"status": "fail", "points": awarded} if awarded <= 0

# 达标 with all the points, else as `short`.
by_points(points, awarded) := {"status": "pass", "points": awarded} if awarded + 1e-9 >= points

by_points(points, awarded) := short(awarded) if awarded + 1e-9 < points

# `deduct: {per_unit, cap}` on a check that failed by `units` units.
per_unit(points, per, cap, units) := {"status": "pass", "points": points} if units <= 0

per_unit(points, per, cap, units) := short(awarded) if {
	units > 0
	deducted := min([units * per, cap, points])
	awarded := round2(max([points - deducted, 0]))
}

# A deduction schedule whose clauses deducted `deductions` (none missing): the item loses
# their sum, at most its points (扣完为止).
schedule(points, deductions) := by_points(points, awarded) if {
	deducted := round2(min([sum(deductions), points]))
	awarded := round2(max([points - deducted, 0]))
}

# A clause's deduction for a check that failed `units` times (at least once), at most
# `limit`.
clause(units, per, limit) := 0 if units <= 0

clause(units, per, limit) := min([max([units, 1]) * per, limit]) if units > 0

# ---------------------------------------------------------------------------------------
# LVP-01 中小学法治副校长配备率100%: coverage of schools (K-12 stages) with legal_vp_count
# >= 1, min 100%; deduct 0.5 per school short, at most 5 of 5 points.
# ---------------------------------------------------------------------------------------

k12_stages := {"小学", "初中", "高中", "完全中学", "九年一贯制", "十二年一贯制", "中等职业学校", "特殊教育学校", "专门学校"}

lvp_scope := [row |
	some row in register("schools")
	row.stage in k12_stages
]

lvp_01 := missing_data if not provided("schools")

lvp_01 := not_applicable if {
	provided("schools")
	count(lvp_scope) == 0
}

lvp_01 := per_unit(5, 0.5, 5, short_rows) if {
	provided("schools")
	total := count(lvp_scope)
	total > 0
	passed := count([r |
		some r in lvp_scope
		is_number(r.legal_vp_count)
		r.legal_vp_count >= 1
	])
	short_rows := total - passed
}

# ---------------------------------------------------------------------------------------
# DEC-02 重大行政决策履行五项法定程序: 9 points, a schedule of eight `each` clauses over
# major_decisions; each failing row deducts the clause's `per`, a clause at most 9.
# ---------------------------------------------------------------------------------------

decisions := register("major_decisions")

# Rows failing `col` in `allowed`, over every decision.
dec_failing_enum(col, allowed) := count([r |
	some r in decisions
	not r[col] in allowed
])

# Rows marked 不需要 in `col` without a reason, over those so marked.
dec_failing_reason(col, reason) := count([r |
	some r in decisions
	r[col] == "不需要"
	not has(r, reason)
])

done := {"已履行"}

done_or_unneeded := {"已履行", "不需要"}

dec_deductions := [
	clause(dec_failing_enum("legality_review", done), 3, 9),
	clause(dec_failing_enum("collective_decision", done), 3, 9),
	clause(dec_failing_enum("public_participation", done_or_unneeded), 1, 9),
	clause(dec_failing_enum("expert_review", done_or_unneeded), 1, 9),
	clause(dec_failing_enum("risk_assessment", done_or_unneeded), 1, 9),
	clause(dec_failing_reason("public_participation", "public_participation_reason"), 0.5, 9),
	clause(dec_failing_reason("expert_review", "expert_review_reason"), 0.5, 9),
	clause(dec_failing_reason("risk_assessment", "risk_assessment_reason"), 0.5, 9),
]

dec_02 := missing_data if not provided("major_decisions")

# No decisions: every clause is not applicable, and so is the item.
dec_02 := not_applicable if {
	provided("major_decisions")
	count(decisions) == 0
}

dec_02 := schedule(9, dec_deductions) if {
	provided("major_decisions")
	count(decisions) > 0
}

# ---------------------------------------------------------------------------------------
# STUDY-01 领导班子集体学法: 3 points, a schedule: no study records -1; each session short
# of 4 (by the leadership's organisers) -0.5; each of three topics never studied -0.5.
# ---------------------------------------------------------------------------------------

leadership_organisers := {"党组理论学习中心组", "局党组会", "局长办公会"}

leadership_sessions := [row |
	some row in register("study_sessions")
	row.organiser in leadership_organisers
]

topic_studied(topic) if {
	some row in leadership_sessions
	is_array(row.topics)
	topic in row.topics
}

study_records_deduction := 0 if evidence_given("study_records")

study_records_deduction := 1 if not evidence_given("study_records")

study_topics := ["习近平法治思想", "宪法", "教育法律法规"]

study_deductions := [
	study_records_deduction,
	clause(max([4 - count(leadership_sessions), 0]), 0.5, 3),
	clause(count([t | some t in study_topics; not topic_studied(t)]), 0.5, 3),
]

# Without the register two clauses are missing and deduct their limit: nothing is left.
study_01 := missing_data if not provided("study_sessions")

study_01 := schedule(3, study_deductions) if provided("study_sessions")

# ---------------------------------------------------------------------------------------
# GOV-05 依申请事项全程网办: 1 point, ratio online_matters / application_matters, min 100%,
# proportional; a zero denominator is not applicable.
# ---------------------------------------------------------------------------------------

zero_denominator if abs(fact_number("application_matters")) < 1e-9

gov_05 := not_applicable if zero_denominator

gov_05 := missing_data if {
	not zero_denominator
	not both_given
}

both_given if {
	fact_number("online_matters")
	fact_number("application_matters")
}

gov_05 := result if {
	not zero_denominator
	rate := fact_number("online_matters") / fact_number("application_matters")
	result := gov_05_rate(rate)
}

gov_05_rate(rate) := {"status": "pass", "points": 1} if rate + 1e-9 >= 1

gov_05_rate(rate) := short(round2(1 * max([min([rate, 1]), 0]))) if rate + 1e-9 < 1

# ---------------------------------------------------------------------------------------
# ENF-04 责任督学每月开展经常性督导: 1 point, count of inspections of that kind, min 12;
# deduct 0.1 per inspection short.
# ---------------------------------------------------------------------------------------

enf_04 := missing_data if not provided("inspections")

enf_04 := per_unit(1, 0.1, 1, max([12 - routine, 0])) if {
	provided("inspections")
	routine := count([r |
		some r in register("inspections")
		r.kind == "责任督学经常性督导"
	])
}
