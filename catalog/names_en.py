"""English names of the controlled vocabularies (the Chinese names are in catalog.vocabulary).

Kept apart so the Chinese vocabulary stays the one source of codes; a test checks both cover the
same codes."""

from __future__ import annotations

from typing import Final

PRIORITY_GROUPS_EN: Final[dict[str, str]] = {
    "enterprise_employee": "Enterprise employee",
    "rural_migrant": "Rural migrant worker",
    "returning_migrant": "Returning migrant worker",
    "two_after_youth": "School leaver not continuing education (two-after youth)",
    "unemployed_graduate": "Unemployed college graduate",
    "laid_off_unemployed": "Laid-off or unemployed worker",
    "veteran": "Veteran",
    "employment_difficulty": "Person with employment difficulty",
    "disabled": "Person with a disability",
    "low_income_household": "Registered low-income rural household",
    "dibao": "Minimum-living-allowance (dibao) recipient",
    "zero_employment_family": "Zero-employment family member",
    "poor_labor": "Poor labor",
    "entrepreneur": "Would-be entrepreneur",
    "professional_farmer": "Professional farmer",
    "high_risk_worker": "High-risk industry / special-operation worker",
    "community_correction": "Under community correction",
}

TRAINING_TYPES_EN: Final[dict[str, str]] = {
    "pre_job": "Pre-job training",
    "skill_upgrade": "On-the-job skill upgrade",
    "transfer": "Job-transfer training",
    "apprenticeship": "New-style apprenticeship",
    "employment_skills": "Employment skills training",
    "entrepreneurship": "Entrepreneurship training",
    "safety": "Safety skills training",
    "work_as_training": "Work-as-training (employer subsidy)",
}
