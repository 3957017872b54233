"""The register (台账) of a body: its disclosure applications, reviews and lawsuits on the
statutory clock, and the facts of its proactive disclosure, from which `xxgk.compile` makes the
annual report. `facts` is the boundary between the two: what the register knows as of a date."""
