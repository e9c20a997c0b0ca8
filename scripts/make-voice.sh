#!/bin/sh
# Writes the spoken verdicts to resources/sounds/ (issue 16: say the verdict aloud as well as
# the tone): voice_pass.wav 请通行, voice_deny.wav 禁止通行, voice_review.wav 请人工核验 (also for
# 无法核验: the guard checks by hand then too).
#
# How they were made: espeak-ng 1.51 (Debian package espeak-ng), voice cmn (Mandarin), speed
# 200 words a minute, amplitude 150; its 22050 Hz output averaged in pairs to 11025 Hz, 16-bit
# mono (speech stays clear at telephone bandwidth, a clip is ~20 KB), silence trimmed from the
# ends. Synthesised, not recorded: no speaker's rights, and anyone can make them again.
#
#     sh scripts/make-voice.sh          (needs espeak-ng and python3; then commit the WAVs)
set -eu
cd "$(dirname "$0")/.."
out=resources/sounds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() {
    espeak-ng -v cmn -s 200 -a 150 -w "$tmp/$1.wav" "$2"
    python3 - "$tmp/$1.wav" "$out/voice_$1.wav" <<'PY'
import array
import sys
import wave

source, target = sys.argv[1], sys.argv[2]
with wave.open(source) as wav:
    assert wav.getnchannels() == 1 and wav.getsampwidth() == 2, "espeak-ng writes 16-bit mono"
    rate = wav.getframerate()
    samples = array.array("h", wav.readframes(wav.getnframes()))
if sys.byteorder == "big":
    samples.byteswap()
half = array.array("h", ((samples[i] + samples[i + 1]) // 2 for i in range(0, len(samples) - 1, 2)))
loud = [i for i, value in enumerate(half) if abs(value) > 300]
pad = rate // 2 // 50  # 20 ms kept around the speech
start, end = max(0, loud[0] - pad), min(len(half), loud[-1] + pad)
clip = half[start:end]
if sys.byteorder == "big":
    clip.byteswap()
with wave.open(target, "wb") as wav:
    wav.setnchannels(1)
    wav.setsampwidth(2)
    wav.setframerate(rate // 2)
    wav.writeframes(clip.tobytes())
PY
}

say pass "请通行"
say deny "禁止通行"
say review "请人工核验"
ls -l "$out"/voice_*.wav
