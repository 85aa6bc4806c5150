"""EDI over file drops: X12 and EDIFACT interchanges in, canonical messages and acknowledgements out."""
