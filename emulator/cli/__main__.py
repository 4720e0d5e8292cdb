"""``python -m emulator.cli``: the ``mcemu`` command line."""

from emulator.cli import main

if __name__ == "__main__":
    main(prog_name="mcemu")
