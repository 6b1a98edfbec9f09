"""Write our own three event sounds (1.0 had exactly these events: Contact Online, New Message, New Mail).

Synthesised here from sine partials with a soft attack and an exponential decay, so nothing is copied from
any Microsoft file. Run ``python resources/sounds/make_sounds.py`` to regenerate the ``.wav`` files next to
this script; the output is deterministic (no randomness), so a re-run changes nothing in git.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
# (frequency in Hz, start in seconds, length in seconds) for each note of a chime.
CHIMES: dict[str, list[tuple[float, float, float]]] = {
    "online": [(659.25, 0.00, 0.35), (987.77, 0.12, 0.45)],  # E5 then B5: rising, "someone is here"
    "message": [(880.00, 0.00, 0.25), (1174.66, 0.08, 0.30)],  # A5, D6: short and light
    "mail": [(783.99, 0.00, 0.30), (659.25, 0.14, 0.30), (523.25, 0.28, 0.45)],  # G5 E5 C5: a falling bell
}


def note(freq: float, length: float) -> list[float]:
    """One bell-like note: the fundamental plus a quieter octave, 8 ms attack, exponential decay."""
    samples = []
    for i in range(int(RATE * length)):
        t = i / RATE
        envelope = min(1.0, t / 0.008) * math.exp(-6.0 * t / length)
        tone = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
        samples.append(envelope * tone / 1.3)
    return samples


def chime(notes: list[tuple[float, float, float]]) -> list[float]:
    total = max(start + length for _f, start, length in notes)
    mix = [0.0] * int(RATE * total)
    for freq, start, length in notes:
        offset = int(RATE * start)
        for i, value in enumerate(note(freq, length)):
            mix[offset + i] += value
    peak = max(abs(v) for v in mix) or 1.0
    return [0.5 * v / peak for v in mix]  # half scale: pleasant, never clipping


def write_wav(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(v * 32767)) for v in samples))


def main() -> None:
    here = Path(__file__).resolve().parent
    for name, notes in CHIMES.items():
        write_wav(here / f"{name}.wav", chime(notes))


if __name__ == "__main__":
    main()
