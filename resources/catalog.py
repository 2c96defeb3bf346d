"""Clinical guidelines and coverage policies listed on the Resources pages (synthetic summaries)."""

# program code, title, version, effective date, summary, plan codes
GUIDELINES = [
    (
        "home-health",
        "Home Health Services",
        "V1.2026",
        "2026-01-01",
        "Criteria for skilled nursing, therapy, social work and home health aide visits for homebound "
        "members, including the initial visit bundle and documentation needed for additional visits.",
        ["cigna-commercial", "cigna-medicare"],
    ),
    (
        "dme",
        "Durable Medical Equipment: General Criteria",
        "V2.2026",
        "2026-01-01",
        "When equipment is medically necessary in the home, rental versus purchase, and validity "
        "periods (purchases 180 days; rentals by the approved days or months).",
        ["cigna-commercial", "cigna-medicare"],
    ),
    (
        "dme",
        "Oxygen for Home Use",
        "V1.2026",
        "2026-01-01",
        "Qualifying blood gas or saturation studies, testing conditions, and the documentation a "
        "request for concentrators, portable and liquid systems must carry.",
        ["cigna-commercial", "cigna-medicare"],
    ),
    (
        "dme",
        "Power Mobility Devices",
        "V1.2026",
        "2026-03-01",
        "Face-to-face examination, mobility limitations in the home, and why a cane, walker or manual "
        "wheelchair cannot meet them.",
        ["cigna-commercial"],
    ),
    (
        "dme",
        "Speech Generating Devices",
        "V1.2025",
        "2025-07-01",
        "Speech-language pathologist evaluation, the trial period, and device features matched to need.",
        ["cigna-commercial"],
    ),
    (
        "dme",
        "Electrical Stimulation and Osteogenesis Stimulators",
        "V1.2026",
        "2026-01-01",
        "TENS trials for chronic pain, non-union fracture criteria for bone growth stimulators.",
        ["cigna-commercial", "cigna-medicare"],
    ),
    (
        "dme",
        "Prosthetic Devices: Lower Limb",
        "V1.2026",
        "2026-01-01",
        "Functional levels K0 to K4 and the components each level supports, microprocessor knees included.",
        ["cigna-commercial", "cigna-medicare"],
    ),
    (
        "sleep",
        "Sleep Disorder Management",
        "V2.2026",
        "2026-01-01",
        "Home sleep apnea testing, in-lab polysomnography and titration studies.",
        ["cigna-commercial", "keystone-community"],
    ),
    (
        "radiology-cardiology",
        "Advanced Imaging of the Spine",
        "V1.2026",
        "2026-02-01",
        "Red flags, conservative care before imaging, and post-operative imaging.",
        ["keystone-community"],
    ),
    (
        "radiology-cardiology",
        "Cardiac Imaging",
        "V1.2026",
        "2026-02-01",
        "Stress testing, echocardiography and coronary CT angiography.",
        ["keystone-community"],
    ),
]
