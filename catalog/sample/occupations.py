"""Occupations of the sample catalog, checked against the national classification (2022) and the
special-operations catalogue; Chinese names are read from those reference files, never typed."""

from __future__ import annotations

import csv
from pathlib import Path

from catalog.sample.basis import CATEGORIES, Row, fmt_bool, fmt_list

# ---------------------------------------------------------------------------------------------
# Occupations: (code, name_en, category, access_restricted, levels)
# Chinese names are NOT typed here: they are read from the reference CSVs (single source).
# ---------------------------------------------------------------------------------------------
L5 = (5, 4, 3, 2, 1)
L3 = (5, 4, 3)
OCCUPATIONS: list[tuple[str, str, str, bool, tuple[int, ...]]] = [
    # modern services / healthcare
    ("4-10-01-06", "Housekeeping Worker", "modern_services", False, L5),
    ("4-10-01-05", "Elderly Care Worker", "modern_services", False, L5),
    ("4-10-01-03", "Childcare Worker (Nursery)", "modern_services", False, L5),
    ("4-10-01-01", "Infant Development Guide", "modern_services", False, L3),
    ("4-14-01-02", "Medical Care Aide", "healthcare", False, (5, 4)),
    ("4-14-01-03", "Health Caregiver", "healthcare", False, (5, 4, 3, 2)),
    ("4-10-04-02", "Health Massage Therapist", "healthcare", False, L5),
    ("4-03-02-01", "Chinese Cuisine Cook", "modern_services", False, L5),
    ("4-03-02-02", "Chinese Pastry Cook", "modern_services", False, L5),
    ("4-03-02-07", "Tea Art Specialist", "modern_services", False, L5),
    ("4-10-03-02", "Hairdresser", "modern_services", False, L5),
    ("4-10-03-01", "Beautician", "modern_services", False, L5),
    ("4-09-08-01", "Cleaner", "modern_services", False, L3),
    ("4-06-01-01", "Property Manager", "modern_services", False, (4, 3, 2)),
    ("4-07-05-01", "Security Guard", "modern_services", True, L5),
    ("4-07-05-03", "Fire Facility Operator", "modern_services", True, L5),
    ("4-14-06-02", "Homestay Butler", "modern_services", False, L5),
    # business
    ("4-01-06-01", "E-commerce Specialist", "business", False, L5),
    ("4-01-06-02", "Internet Marketing Specialist (live-stream sales)", "business", False, L5),
    ("4-13-01-05", "All-media Operator", "business", False, L5),
    ("4-04-05-03", "Call Center Agent", "business", False, L5),
    ("4-07-02-03", "Customer Service Administrator", "business", False, L5),
    ("4-07-03-03", "Entrepreneurship Adviser (used for general SYB/GYB/IYB courses)", "business", False, (3, 2, 1)),
    # transport & logistics
    ("4-12-01-01", "Automobile Repair Technician", "transport", False, L5),
    ("4-12-01-03", "Battery & Battery System Maintenance Technician (EV)", "transport", False, L5),
    ("4-02-06-03", "Logistics Service Specialist", "transport", False, L5),
    ("4-02-06-01", "Warehouse Keeper", "transport", False, L5),
    ("4-02-07-08", "Courier", "transport", False, L5),
    ("4-10-08-01", "Online Delivery Rider", "transport", False, L3),
    ("6-30-01-00", "Special-purpose Vehicle Driver (forklift)", "transport", True, L3),
    # digital
    ("2-02-38-01", "Artificial Intelligence Engineering Technician", "digital", False, L3),
    ("2-02-38-02", "Internet of Things Engineering Technician", "digital", False, L3),
    ("2-02-38-03", "Big Data Engineering Technician", "digital", False, L3),
    ("2-02-38-04", "Cloud Computing Engineering Technician", "digital", False, L3),
    ("2-02-38-05", "Intelligent Manufacturing Engineering Technician", "digital", False, L3),
    ("2-02-38-06", "Industrial Internet Engineering Technician", "digital", False, L3),
    ("4-04-05-05", "Artificial Intelligence Trainer (data annotation)", "digital", False, L5),
    ("4-04-05-01", "Computer Programmer", "digital", False, (4, 3, 2, 1)),
    ("4-04-04-02", "Network & Information Security Administrator", "digital", False, L5),
    ("6-25-04-09", "IoT Installation & Commissioning Technician", "digital", False, L5),
    # advanced manufacturing: robots, electrical, welding, machining
    ("6-31-07-03", "Industrial Robot System Operator", "advanced_manufacturing", False, L5),
    ("6-31-07-01", "Industrial Robot System Maintainer", "advanced_manufacturing", False, L5),
    ("6-31-01-03", "Electrician", "advanced_manufacturing", True, L5),
    ("6-18-02-04", "Welder", "advanced_manufacturing", True, L5),
    ("6-18-01-07", "Multi-process CNC Machine Tool Operator", "advanced_manufacturing", False, L5),
    ("6-18-01-01", "Lathe Operator", "advanced_manufacturing", False, L5),
    ("6-20-01-01", "Assembly Fitter", "advanced_manufacturing", False, L5),
    ("6-18-04-01", "Die & Mould Maker", "advanced_manufacturing", False, L5),
    ("6-31-01-02", "Maintenance Fitter", "advanced_manufacturing", False, L5),
    ("6-31-01-10", "Electromechanical Equipment Maintainer", "advanced_manufacturing", False, L5),
    ("6-31-03-05", "Quality Inspector", "advanced_manufacturing", False, L5),
    # automobile cluster
    ("6-22-02-01", "Automobile Assembly & Commissioning Worker", "advanced_manufacturing", False, L5),
    ("6-22-01-01", "Automobile Production Line Operator", "advanced_manufacturing", False, L5),
    ("6-18-03-03", "Coating (Painting) Worker", "advanced_manufacturing", False, L5),
    # new energy: wind, PV, batteries
    ("6-20-02-04", "Wind Turbine Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-28-01-12", "Wind Power Operation & Maintenance Operator", "advanced_manufacturing", False, L5),
    ("6-24-02-04", "Photovoltaic Module Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-28-01-10", "Photovoltaic Power Operation & Maintenance Operator", "advanced_manufacturing", False, L5),
    ("6-24-04-00", "Battery Manufacturing Worker", "advanced_manufacturing", False, L5),
    # electronics
    ("6-25-04-07", "Electronic Equipment Assembler", "advanced_manufacturing", False, L5),
    ("6-25-02-03", "Liquid Crystal Display Device Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-25-02-05", "Semiconductor Chip Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-25-04-05", "Smart Hardware Assembly & Commissioning Worker", "advanced_manufacturing", False, L5),
    # steel
    ("6-17-02-02", "Steelmaking Worker", "advanced_manufacturing", False, L5),
    ("6-17-09-02", "Metal Rolling Worker", "advanced_manufacturing", False, L5),
    ("6-17-01-06", "Blast Furnace Ironmaking Worker", "advanced_manufacturing", False, L5),
    # chemicals
    ("6-11-01-03", "Chemical Process General Control Operator", "advanced_manufacturing", False, L5),
    ("6-11-01-02", "Chemical Unit Operation Worker", "advanced_manufacturing", False, L5),
    ("6-31-03-01", "Chemical Analyst", "advanced_manufacturing", False, L5),
    ("6-28-03-03", "Industrial Wastewater Treatment Worker", "advanced_manufacturing", False, L5),
    # handicraft
    ("6-09-03-11", "Drawnwork & Embroidery Worker (incl. Dongtai hair embroidery)", "handicraft", False, L5),
    ("6-05-01-06", "Knitting & Patchwork Worker", "handicraft", False, L3),
    ("6-09-03-17", "Folk Handicraft Maker (straw & wicker weaving)", "handicraft", False, L5),
    ("6-09-03-01", "Handicraft Carver", "handicraft", False, L5),
    # construction
    ("6-29-01-01", "Bricklayer", "construction", False, L5),
    ("6-29-01-04", "Steel-bar Worker", "construction", False, L5),
    ("6-29-01-05", "Scaffolder", "construction", True, L5),
    ("6-29-04-01", "Decoration & Finishing Worker", "construction", False, L5),
    ("6-29-02-15", "Pipe Worker (plumber)", "construction", False, L5),
    ("6-29-01-06", "Prefabricated Building Construction Worker", "construction", False, L3),
    ("6-29-01-07", "Rural Construction Craftsman", "construction", False, L3),
    ("6-30-05-01", "Hoisting & Loading Machinery Operator", "construction", True, L5),
    ("6-30-05-05", "Excavator, Loader & Piling Machine Operator", "construction", False, L5),
    ("6-29-02-08", "Waterproofing Worker", "construction", False, L5),
    ("6-29-03-03", "Elevator Installer & Maintainer", "construction", True, L5),
    ("4-08-08-23", "Building Information Modelling (BIM) Technician", "construction", False, L3),
    # agriculture & aquaculture
    ("5-05-01-02", "Agricultural Manager", "agriculture", False, (4, 3, 2)),
    ("5-01-02-01", "Agronomy Worker", "agriculture", False, L5),
    ("5-01-02-02", "Horticulture Worker", "agriculture", False, L5),
    ("5-05-05-01", "Agricultural Machinery Operator", "agriculture", False, L5),
    ("5-05-05-02", "Agricultural Machinery Repairer", "agriculture", False, L5),
    ("5-05-02-01", "Crop Protection Worker", "agriculture", False, L5),
    ("5-05-01-03", "Agricultural Digitalisation Technician", "agriculture", False, L3),
    ("5-01-02-03", "Edible Fungi Grower", "agriculture", False, L5),
    ("5-03-02-02", "Poultry Breeder", "agriculture", False, L5),
    ("5-04-02-01", "Aquatic Animal Farmer", "agriculture", False, L5),
    ("5-04-01-01", "Aquatic Animal Seedling Breeder", "agriculture", False, L5),
    ("5-05-02-05", "Aquatic Disease Control Worker", "agriculture", False, L5),
    ("5-05-06-07", "Aquatic Product Raw-material Processor", "agriculture", False, L3),
    ("4-07-04-06", "Leisure Agriculture Service Worker", "agriculture", False, L3),
    ("4-02-04-06", "UAV Pilot (crop-protection drones)", "agriculture", False, L5),
]

# Special operations (特种作业), code SO-<item_no>; Chinese names come from special_operations.csv.
SPECIAL_OPERATIONS: list[tuple[str, str]] = [
    ("1.1", "High-voltage Electrician Operation"),
    ("1.2", "Low-voltage Electrician Operation"),
    ("1.3", "Explosion-proof Electrical Operation"),
    ("2.1", "Fusion Welding & Thermal Cutting"),
    ("2.2", "Pressure Welding"),
    ("2.3", "Brazing & Soldering"),
    ("3.1", "Scaffold Erection at Height"),
    ("3.2", "Installation, Maintenance & Dismantling at Height"),
    ("4.1", "Refrigeration & Air-conditioning Equipment Operation"),
    ("4.2", "Refrigeration & Air-conditioning Equipment Installation & Repair"),
    ("8.1", "Gas Operation (metallurgy)"),
    ("9.2", "Chlor-alkali Electrolysis Process Operation"),
    ("9.3", "Chlorination Process Operation"),
    ("9.4", "Nitration Process Operation"),
    ("9.8", "Hydrogenation Process Operation"),
    ("9.14", "Polymerization Process Operation"),
    ("9.16", "Chemical Automation Control Instrument Operation"),
]

# Occupations the plan names explicitly (§4 of the domain brief): must be present everywhere.
PLAN_NAMED = (
    "4-10-01-06", "4-10-01-05", "4-10-01-03", "4-10-01-01", "4-07-05-01", "4-01-06-01",
    "4-12-01-01", "6-31-01-03", "6-09-03-11", "6-05-01-06", "6-09-03-17",
    "2-02-38-01", "2-02-38-02", "2-02-38-03", "2-02-38-04", "6-31-07-03", "6-31-07-01",
    "6-18-02-04",
)

# Named 专项职业能力 (special vocational ability) items per occupation; only these occupations
# get special_ability courses.
SPECIAL_ABILITY = {
    "4-10-01-06": ("母婴护理", "Maternal & Infant Care"),
    "4-10-01-05": ("失能老人照护", "Care for Disabled Elderly"),
    "4-03-02-02": ("中式面点制作", "Chinese Pastry Making"),
    "4-01-06-01": ("网店运营", "Online Shop Operation"),
    "4-10-04-02": ("保健按摩", "Health Massage"),
    "4-04-05-03": ("客户服务（呼叫中心）", "Call-centre Customer Service"),
    "6-09-03-11": ("东台发绣制作", "Dongtai Hair Embroidery"),
    "6-09-03-17": ("草柳编织", "Straw & Wicker Weaving"),
    "6-05-01-06": ("手工编织", "Hand Knitting"),
    "6-09-03-01": ("木雕", "Wood Carving"),
    "5-04-02-01": ("河蟹生态养殖", "Ecological Crab Farming"),
    "5-01-02-03": ("食用菌栽培", "Edible Fungi Cultivation"),
}

# Occupation groups ("tracks") an institution teaches; weights favour the plan-named ones.
TRACKS: dict[str, list[tuple[str, int]]] = {
    "homecare": [("4-10-01-06", 5), ("4-10-01-05", 5), ("4-10-01-03", 3), ("4-10-01-01", 3),
                 ("4-14-01-02", 2), ("4-14-01-03", 1), ("4-09-08-01", 1)],
    "care": [("4-10-01-05", 4), ("4-14-01-02", 4), ("4-14-01-03", 3), ("4-10-04-02", 1)],
    "childcare": [("4-10-01-03", 4), ("4-10-01-01", 4), ("4-10-01-06", 1)],
    "food": [("4-03-02-01", 4), ("4-03-02-02", 3), ("4-03-02-07", 1)],
    "beauty": [("4-10-03-02", 3), ("4-10-03-01", 2), ("4-10-04-02", 1)],
    "security": [("4-07-05-01", 5), ("4-07-05-03", 3), ("4-06-01-01", 1)],
    "ecom": [("4-01-06-01", 5), ("4-01-06-02", 3), ("4-13-01-05", 2), ("4-04-05-03", 2),
             ("4-07-02-03", 1)],
    "logistics": [("4-02-06-03", 3), ("4-02-06-01", 2), ("4-02-07-08", 2), ("4-10-08-01", 1),
                  ("6-30-01-00", 2)],
    "auto": [("4-12-01-01", 5), ("4-12-01-03", 3), ("6-22-02-01", 2), ("6-22-01-01", 2),
             ("6-18-03-03", 1)],
    "machining": [("6-18-01-07", 3), ("6-18-01-01", 2), ("6-20-01-01", 2), ("6-18-04-01", 1),
                  ("6-31-01-02", 2), ("6-31-01-10", 2), ("6-31-03-05", 1)],
    "electrical": [("6-31-01-03", 6), ("6-18-02-04", 5), ("6-31-07-03", 2), ("6-25-04-07", 1)],
    "robot": [("6-31-07-03", 4), ("6-31-07-01", 4), ("2-02-38-05", 1)],
    "energy": [("6-20-02-04", 2), ("6-28-01-12", 3), ("6-24-02-04", 2), ("6-28-01-10", 2),
               ("6-24-04-00", 2)],
    "electronics": [("6-25-04-07", 3), ("6-25-02-03", 2), ("6-25-02-05", 2), ("6-25-04-09", 2),
                    ("6-25-04-05", 2)],
    "steel": [("6-17-02-02", 3), ("6-17-09-02", 3), ("6-17-01-06", 2), ("6-18-02-04", 1)],
    "chem": [("6-11-01-03", 4), ("6-11-01-02", 3), ("6-31-03-01", 2), ("6-28-03-03", 2)],
    "digital": [("2-02-38-01", 3), ("2-02-38-02", 3), ("2-02-38-03", 3), ("2-02-38-04", 3),
                ("2-02-38-06", 1), ("4-04-05-05", 2), ("4-04-05-01", 1), ("4-04-04-02", 1)],
    "handicraft": [("6-09-03-11", 4), ("6-05-01-06", 3), ("6-09-03-17", 3), ("6-09-03-01", 1)],
    "agri": [("5-05-01-02", 3), ("5-01-02-01", 3), ("5-01-02-02", 2), ("5-05-05-01", 3),
             ("5-05-05-02", 2), ("5-05-02-01", 2), ("5-05-01-03", 1), ("5-01-02-03", 2),
             ("5-03-02-02", 1), ("4-02-04-06", 2), ("4-07-04-06", 1)],
    "aqua": [("5-04-02-01", 5), ("5-04-01-01", 2), ("5-05-02-05", 2), ("5-05-06-07", 1)],
    "construction": [("6-29-01-01", 2), ("6-29-01-04", 2), ("6-29-01-05", 2), ("6-29-04-01", 3),
                     ("6-29-02-15", 2), ("6-29-01-06", 2), ("6-29-01-07", 2), ("6-30-05-01", 1),
                     ("6-30-05-05", 2), ("6-29-02-08", 1), ("6-29-03-03", 1), ("4-08-08-23", 1)],
    "safety_elec": [("SO-1.2", 6), ("SO-1.1", 3), ("SO-1.3", 1)],
    "safety_weld": [("SO-2.1", 6), ("SO-2.2", 1), ("SO-2.3", 1)],
    "safety_height": [("SO-3.1", 2), ("SO-3.2", 3)],
    "safety_cool": [("SO-4.1", 1), ("SO-4.2", 2)],
    "safety_chem": [("SO-9.16", 3), ("SO-9.2", 1), ("SO-9.3", 2), ("SO-9.4", 1), ("SO-9.8", 2),
                    ("SO-9.14", 2), ("SO-8.1", 1)],
    "safety_gas": [("SO-8.1", 3), ("SO-1.2", 1)],
    "entre": [("4-07-03-03", 6), ("4-01-06-01", 2), ("5-05-01-02", 1), ("4-14-06-02", 1)],
    "entre_agri": [("5-05-01-02", 3), ("4-07-03-03", 2), ("4-14-06-02", 1)],
    "disab": [("4-10-04-02", 4), ("4-01-06-01", 3), ("4-04-05-03", 3), ("6-09-03-11", 2),
              ("6-05-01-06", 2), ("4-03-02-02", 2), ("4-10-01-06", 1), ("6-09-03-17", 1)],
    "hospitality": [("4-14-06-02", 2), ("4-03-02-07", 1), ("4-07-04-06", 1)],
    "wat": [("6-22-01-01", 1), ("6-24-02-04", 1), ("6-25-04-07", 1), ("4-09-08-01", 1)],
}


def load_reference(occ_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    codes: dict[str, str] = {}
    with open(occ_dir / "codes_detail_with_flags.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            codes[row["code"].strip()] = row["name_zh"].strip()
    so: dict[str, str] = {}
    with open(occ_dir / "special_operations.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["item_no"].strip():
                so[row["item_no"].strip()] = row["item"].strip()
    assert len(codes) > 1000, f"unexpected reference size {len(codes)}"
    return codes, so


def build_occupations(ref_codes: dict[str, str], ref_so: dict[str, str]) -> list[Row]:
    rows = []
    seen = set()
    for code, en, cat, restricted, levels in OCCUPATIONS:
        assert code not in seen, f"duplicate occupation {code}"
        seen.add(code)
        assert code in ref_codes, f"occupation code {code} not in codes_detail_with_flags.csv"
        assert cat in CATEGORIES, (code, cat)
        rows.append({
            "code": code, "name_zh": ref_codes[code], "name_en": en, "category": cat,
            "access_restricted": fmt_bool(restricted), "special_operation": "false",
            "levels": fmt_list(levels),
        })
    for item_no, en in SPECIAL_OPERATIONS:
        assert item_no in ref_so, f"special operation {item_no} not in special_operations.csv"
        code = f"SO-{item_no}"
        assert code not in seen
        seen.add(code)
        rows.append({
            "code": code, "name_zh": ref_so[item_no], "name_en": en, "category": "safety",
            "access_restricted": "true", "special_operation": "true", "levels": "5",
        })
    for track, items in TRACKS.items():
        for code, _ in items:
            assert code in seen, f"track {track} refers to unknown occupation {code}"
    for code in SPECIAL_ABILITY:
        assert code in seen, f"special ability for unknown occupation {code}"
    return rows
