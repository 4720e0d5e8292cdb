"""pytest plugin of mc-emulator (entry point pytest11): fixtures and marker, nothing autouse."""
