"""The help texts of the case build's pages ("Click here for help", seeds 001 to 003) and their checklists."""

HELP = {
    "program": [
        "Choose Clinical Certification to begin a new case request.",
        "Select the appropriate program: Home Health, or Durable Medical Equipment (DME).",
        "Choose who is making the request, Referring Physician or the Durable Medical Equipment provider "
        "(or Home Health Agency). Only referring providers are allowed to order a case.",
        "Sending another request for the same provider? Start from a previous request: the provider, insurer, "
        "contact details and site of service are filled in for you.",
    ],
    "provider": [
        'Enter the provider\'s name or NPI and select "Search". Click on the "Select" button for the correct provider.',
        "Practitioners/groups may be added to your account prior to case submission (optional): use Manage Your "
        "Account, or Search By NPI here to add the provider and continue with case build.",
    ],
    "provider-supplier": [
        "If you are from the home health agency, or from the DME supplier, select the health plan and then enter "
        "the ordering provider's NPI number (or Tax ID number) to search.",
        "Only referring providers are allowed to order a case, so you will need to enter the ordering provider "
        "information on this screen.",
    ],
    "insurer": [
        "Choose the appropriate Health Plan for the request.",
        "Then select the appropriate address for the practitioner/group, and select CONTINUE.",
    ],
    "contact": [
        "Enter/edit the Practitioner's name and appropriate information for the point of contact/who to contact "
        "individual. Practitioner name, fax and phone will pre-populate, edit as necessary.",
        "The e-notification box is checked by default to enable email notices for any updates on case status "
        "changes. Make sure to uncheck this box if you prefer to receive faxed notices.",
        'Complete all boxes with an * and select "Confirm FAX and Continue".',
    ],
    "date": [
        'Select the expected start of care date, then click "Submit".',
        "You will then be asked for the patient information, and you will select the patient's name from the "
        "search results.",
    ],
    "date-dme": ["If the DME has been delivered/dispensed, please enter that date."],
    "patient": [
        "When entering patient details, please review and confirm the spelling of the patient's name. Verify "
        "accuracy of the patient's ID.",
        "Select the patient's name from the search results; on the next screen, enter the patient phone number.",
    ],
    "service": [
        "Home Services will use the 'header code' HomeH; DME requests the header code DME.",
        "Select appropriate Diagnosis Code. You can search using the description or the code.",
        "The CPT codes will be collected during the clinical questionnaire.",
    ],
    "site": [
        "Search for the Site of Service (Rendering Facility) for where the procedure will be performed (for best "
        "results, search with NPI, TIN, and zip code).",
        "Select the specific site where the procedure will be performed.",
    ],
    "attest": [
        "Confirm previous selections, and check the box to acknowledge the attestation.",
        "You will not be able to make changes to the selections already made after advancing into the clinical "
        "pathways (clinical questionnaire portion of the case-build).",
    ],
    "clinical": [
        "Clinical Certification questions will populate based on the information provided.",
        "You can save your request and finish it later if needed (Note: make sure to complete (finish) the case "
        "before you leave for the day).",
        "Now you can edit your responses to clinical questions prior to case submission by clicking the link for "
        "the related question.",
    ],
    "upload": [
        "Providing clinical information via the web is the fastest and most efficient method.",
        "Enter additional notes in the space provided only when necessary.",
        "Additional information uploaded to the case will be sent for clinical review.",
        "Print out a summary of the request that includes the case number and indicates 'Your case has been sent "
        "to clinical review'.",
    ],
}


# Seed 002: "Required Medical information checklist" for DME.
DME_CHECKLIST = (
    "Written prescription",
    "Certificate of medical necessity (CMN)",
    "Preauthorization request form",
    "Most recent office visit notes (for most requests, must be within last 3 months)",
    "Current detailed invoice listing all requested equipment",
    "Diagnosis (if part of discharge plan, include the admitting diagnosis)",
    "Patient history and physical exam findings, progress notes, wound or incision/location",
    "Rental vs Purchase and Quantity requested (if applicable)",
    "Has the patient previously used this/these item(s)",
    "DME vendor/site",
)


# Seed 003: documents must carry the patient's name and one more identifier from this list.
PATIENT_IDENTIFIERS = (
    "Date of birth",
    "Correct case number/Episode ID",
    "Customer identification number",
    "Full address (Street, City, State and Zip Code)",
    "Full phone number including area code",
    "Driver's license number or other government-issued ID.",
)
