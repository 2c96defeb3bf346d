"""Clinical questionnaires defined as data, one FHIR Questionnaire JSON per program (see engine.py)."""
