"""Compute registry and "compute autonomy" analytics: where installed AI compute sits, of
which origin, with what power, and what a policy change would remove (``docs/compute.md``)."""
