"""The fixed reference data, as the seeds print it: programs, plans and their delegations, HCPCS codes.

Loaded into the database by ``reference.services.reference_data_load`` (called by ``seed_demo``).
"""

# The twelve programs on "Request an Authorization" (seed 001), in the order shown there.
NOT_HANDLED = (
    "{name} requests are not built in this portal. Submit them through the EviCore provider portal "
    "for your health plan, or call the EviCore Intake Team at 800.298.4806."
)
# Clinical upload size cap per program, in MB (seed 001: 5MB for Home Health; seed 002: 25MB for DME).
UPLOAD_MAX_MEGABYTES = {"home-health": 5, "dme": 25}
PROGRAMS = [
    # code, name, header code, buildable
    ("dme", "Durable Medical Equipment(DME)", "DME", True),
    ("medical-oncology-pathways", "Evicore Medical Oncology Pathways", "", False),
    ("gastroenterology", "Gastroenterology", "", False),
    ("gene-therapy", "Gene Therapy", "", False),
    ("home-health", "Home Health", "HOMEH", True),
    ("lab-management", "Lab Management Program", "", False),
    ("medical-specialty-drugs", "Medical Specialty Drugs", "", False),
    ("musculoskeletal", "Musculoskeletal Management", "", False),
    ("pharmacy-drugs", "Pharmacy Drugs (Express Scripts Coverage)", "", False),
    ("radiation-therapy", "Radiation Therapy Management Program (RTMP)", "", False),
    (
        "radiology-cardiology",
        "Radiology and Cardiology/Vascular Intervention",
        "",
        False,
    ),
    ("sleep", "Sleep Management", "", False),
]

HEALTH_PLANS = [
    # code, name, payer id, customer service phone
    ("cigna-commercial", "Cigna Healthcare Commercial", "62308", "8008824462"),
    ("cigna-medicare", "Cigna Healthcare Medicare Advantage", "62308", "8008824462"),
    # A plan that delegates neither Home Health nor DME: its members get the "not delegated" answer.
    ("keystone-community", "Keystone Community Health Plan", "23284", "8664250131"),
]

# (plan, program, reviewer, services included, phone, fax): seed 003's table for Cigna Commercial.
PLAN_PROGRAMS = [
    (
        "cigna-commercial",
        "home-health",
        "cigna",
        "Nursing, Home health aids, therapies and social work",
        "8666689250",
        "8558263724",
    ),
    (
        "cigna-commercial",
        "dme",
        "cigna",
        "Home based and Medically Necessary",
        "8666689250",
        "8666637740",
    ),
    (
        "cigna-commercial",
        "sleep",
        "evicore",
        "Sleep testing. PAP therapy Devices do not require precertification.",
        "8666689250",
        "8669993510",
    ),
    (
        "cigna-medicare",
        "home-health",
        "cigna",
        "Nursing, therapies, social work, aides",
        "8002984806",
        "8558263724",
    ),
    (
        "cigna-medicare",
        "dme",
        "cigna",
        "Home based and Medically Necessary",
        "8002984806",
        "8666637740",
    ),
    (
        "keystone-community",
        "radiology-cardiology",
        "evicore",
        "Advanced imaging, cardiology",
        "8886932526",
        "8886932795",
    ),
    (
        "keystone-community",
        "sleep",
        "evicore",
        "Sleep testing",
        "8886932526",
        "8669993510",
    ),
]

CALL_CIGNA = (
    "Same day precertification and retrospective authorization requests should be submitted directly to "
    "Cigna Healthcare by calling 1.800.88Cigna (800.882.4462) or the number on the back of the customer's card."
)
# (plan, program) -> same-day online?, retro window in business days (None: phone it in), instruction.
DATE_OF_SERVICE_RULES = {
    # Seed 001: Cigna takes same-day and retrospective Home Health requests by phone only.
    ("cigna-commercial", "home-health"): (False, None, CALL_CIGNA),
    ("cigna-medicare", "home-health"): (False, None, CALL_CIGNA),
    # Seed 002: retrospective DME requests within 15 business days of the date of service.
    ("cigna-commercial", "dme"): (True, 15, ""),
    ("cigna-medicare", "dme"): (True, 15, ""),
}

# Home Health disciplines (seed 001 bundle and manual request), billed per visit.
HOME_HEALTH_CODES = [
    (
        "G0299",
        "Direct skilled nursing services of a registered nurse (RN) in the home health setting",
        "Skilled Nurse",
    ),
    (
        "G0300",
        "Direct skilled nursing services of a licensed practical nurse (LPN) in the home health setting",
        "Skilled Nurse",
    ),
    (
        "G0151",
        "Services performed by a qualified physical therapist in the home health setting",
        "Physical Therapy",
    ),
    (
        "G0152",
        "Services performed by a qualified occupational therapist in the home health setting",
        "Occupational Therapy",
    ),
    (
        "G0153",
        "Services performed by a qualified speech-language pathologist in the home health setting",
        "Speech Therapy",
    ),
    (
        "G0155",
        "Services of clinical social worker in home health setting",
        "Social Worker",
    ),
    (
        "G0156",
        "Services of home health/hospice aide in home health setting",
        "Home Health Aide",
    ),
    ("S9470", "Nutritional counseling, dietitian visit", "Dietitian"),
]

# The DME list grouped by seed 002's categories: (code, description, category, billing basis, needs PA).
DME_CODES = [
    (
        "E1390",
        "Oxygen concentrator, single delivery port, capable of delivering 85 percent or greater oxygen concentration at the prescribed flow rate",
        "oxygen",
        "monthly_rental",
        True,
    ),
    ("E1392", "Portable oxygen concentrator, rental", "oxygen", "monthly_rental", True),
    (
        "E0431",
        "Portable gaseous oxygen system, rental; includes portable container, regulator, flowmeter, humidifier, cannula or mask, and tubing",
        "oxygen",
        "monthly_rental",
        True,
    ),
    (
        "E0439",
        "Stationary liquid oxygen system, rental; includes container, contents, regulator, flowmeter, humidifier, nebulizer, cannula or mask, and tubing",
        "oxygen",
        "monthly_rental",
        True,
    ),
    (
        "E0630",
        "Patient lift, hydraulic or mechanical, includes any seat, sling, strap(s) or pad(s)",
        "patient_lifts",
        "monthly_rental",
        True,
    ),
    (
        "E0635",
        "Patient lift, electric, with seat or sling",
        "patient_lifts",
        "monthly_rental",
        True,
    ),
    (
        "E0639",
        "Patient lift, moveable from room to room with disassembly and reassembly, includes all components/accessories",
        "patient_lifts",
        "purchase",
        True,
    ),
    (
        "E0640",
        "Patient lift, fixed system, includes all components/accessories",
        "patient_lifts",
        "purchase",
        True,
    ),
    (
        "E0465",
        "Home ventilator, any type, used with invasive interface (e.g., tracheostomy tube)",
        "ventilators",
        "monthly_rental",
        True,
    ),
    (
        "E0466",
        "Home ventilator, any type, used with non-invasive interface (e.g., mask, chest shell)",
        "ventilators",
        "monthly_rental",
        True,
    ),
    (
        "E0467",
        "Home ventilator, multi-function respiratory device, also performs any or all of the additional functions of oxygen concentration, drug nebulization, aspiration, and cough stimulation",
        "ventilators",
        "monthly_rental",
        True,
    ),
    ("K0001", "Standard wheelchair", "wheelchairs", "monthly_rental", True),
    ("K0003", "Lightweight wheelchair", "wheelchairs", "monthly_rental", True),
    (
        "K0004",
        "High strength, lightweight wheelchair",
        "wheelchairs",
        "monthly_rental",
        True,
    ),
    ("K0005", "Ultralightweight wheelchair", "wheelchairs", "purchase", True),
    (
        "K0823",
        "Power wheelchair, group 2 standard, captains chair, patient weight capacity up to and including 300 pounds",
        "wheelchairs",
        "monthly_rental",
        True,
    ),
    (
        "K0856",
        "Power wheelchair, group 3 standard, single power option, sling/solid seat/back, patient weight capacity up to and including 300 pounds",
        "wheelchairs",
        "purchase",
        True,
    ),
    (
        "E1161",
        "Manual adult size wheelchair, includes tilt in space",
        "wheelchairs",
        "monthly_rental",
        True,
    ),
    (
        "L5301",
        "Below knee, molded socket, shin, SACH foot, endoskeletal system",
        "prosthetics",
        "purchase",
        True,
    ),
    (
        "L5856",
        "Addition to lower extremity prosthesis, endoskeletal knee-shin system, microprocessor control feature, swing and stance phase",
        "prosthetics",
        "purchase",
        True,
    ),
    (
        "L5973",
        "Endoskeletal ankle foot system, microprocessor controlled feature, dorsiflexion and/or plantar flexion control",
        "prosthetics",
        "purchase",
        True,
    ),
    (
        "L6880",
        "Electric hand, switch or myoelectric controlled, independently articulating digits, any grasp pattern or combination of grasp patterns",
        "prosthetics",
        "purchase",
        True,
    ),
    (
        "L0631",
        "Lumbar-sacral orthosis, sagittal control, with rigid anterior and posterior panels, prefabricated item that has been trimmed, bent, molded, assembled, or otherwise customized",
        "orthotics",
        "purchase",
        True,
    ),
    (
        "L1833",
        "Knee orthosis, adjustable knee joints, positional orthosis, rigid support, prefabricated, off-the-shelf",
        "orthotics",
        "purchase",
        True,
    ),
    (
        "L2000",
        "Knee ankle foot orthosis, single upright, free knee, free ankle, solid stirrup, thigh and calf bands/cuffs, custom-fabricated",
        "orthotics",
        "purchase",
        True,
    ),
    (
        "L3960",
        "Shoulder elbow wrist hand orthosis, abduction positioning, airplane design, prefabricated",
        "orthotics",
        "purchase",
        True,
    ),
    (
        "E2500",
        "Speech generating device, digitized speech, using pre-recorded messages, less than or equal to 8 minutes recording time",
        "communication",
        "purchase",
        True,
    ),
    (
        "E2508",
        "Speech generating device, synthesized speech, requiring message formulation by spelling and access by physical contact with the device",
        "communication",
        "purchase",
        True,
    ),
    (
        "E2510",
        "Speech generating device, synthesized speech, permitting multiple methods of message formulation and multiple methods of device access",
        "communication",
        "purchase",
        True,
    ),
    (
        "E0260",
        "Hospital bed, semi-electric (head and foot adjustment), with any type side rails, with mattress",
        "miscellaneous",
        "monthly_rental",
        True,
    ),
    (
        "E0277",
        "Powered pressure-reducing air mattress",
        "miscellaneous",
        "monthly_rental",
        True,
    ),
    (
        "E0935",
        "Continuous passive motion exercise device for use on knee only",
        "miscellaneous",
        "daily_rental",
        True,
    ),
    (
        "E0936",
        "Continuous passive motion exercise device for use other than knee",
        "miscellaneous",
        "daily_rental",
        True,
    ),
    (
        "E0100",
        "Cane, includes canes of all materials, adjustable or fixed, with tip",
        "miscellaneous",
        "purchase",
        False,
    ),
    (
        "E0143",
        "Walker, folding, wheeled, adjustable or fixed height",
        "miscellaneous",
        "purchase",
        False,
    ),
    (
        "E0720",
        "Transcutaneous electrical nerve stimulation (TENS) device, two lead, localized stimulation",
        "stimulators",
        "purchase",
        True,
    ),
    (
        "E0730",
        "Transcutaneous electrical nerve stimulation (TENS) device, four or more leads, for multiple nerve stimulation",
        "stimulators",
        "purchase",
        True,
    ),
    (
        "E0745",
        "Neuromuscular stimulator, electronic shock unit",
        "stimulators",
        "monthly_rental",
        True,
    ),
    (
        "E0747",
        "Osteogenesis stimulator, electrical, noninvasive, other than spinal applications",
        "stimulators",
        "purchase",
        True,
    ),
    (
        "E0748",
        "Osteogenesis stimulator, electrical, noninvasive, spinal applications",
        "stimulators",
        "purchase",
        True,
    ),
    (
        "E0760",
        "Osteogenesis stimulator, low intensity ultrasound, non-invasive",
        "stimulators",
        "purchase",
        True,
    ),
    (
        "E0678",
        "Non-pneumatic sequential compression garment, full leg",
        "compressors",
        "purchase",
        True,
    ),
    (
        "E0679",
        "Non-pneumatic sequential compression garment, half leg",
        "compressors",
        "purchase",
        True,
    ),
    (
        "E0680",
        "Non-pneumatic compression controller with sequential calibrated gradient pressure",
        "compressors",
        "purchase",
        True,
    ),
    (
        "E0681",
        "Non-pneumatic compression controller without calibrated gradient pressure",
        "compressors",
        "purchase",
        True,
    ),
]
