"""Layer 5: what changed between two versions of a journey (diff, edits, sensitivity).

Empty for now: design section 9 fills it.
"""
