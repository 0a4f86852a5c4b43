"""Chain of custody: every chip by serial, from inspection to installation, and the flags
raised when its story stops adding up."""
