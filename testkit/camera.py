"""A camera for the browser tests: a device label's Code 128 barcode, drawn with python-barcode and
written as a Y4M video that Chromium plays as its camera (`--use-file-for-fake-video-capture`)."""

from __future__ import annotations

import io
from pathlib import Path

from barcode import Code128
from barcode.writer import ImageWriter
from PIL import Image

WIDTH, HEIGHT = 640, 480
FRAMES = 2  # Chromium plays the file in a loop: two still frames are a steady picture


def chromium_args(video: Path) -> tuple[str, ...]:
    """Chromium's switches for a camera that shows `video`, allowed without asking."""
    return (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )


def label_video(directory: Path, serial_number: str) -> Path:
    """A Y4M video of a white label with `serial_number` as a Code 128 barcode across its middle."""
    drawn = io.BytesIO()
    options = {"module_width": 0.4, "module_height": 12, "quiet_zone": 6, "write_text": False, "dpi": 200}
    Code128(serial_number, writer=ImageWriter()).write(drawn, options=options)
    code = Image.open(io.BytesIO(drawn.getvalue())).convert("L")
    code.thumbnail((WIDTH - 40, HEIGHT - 40))
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)  # 4:2:0: the colour planes at half the size
    picture = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    video = directory / f"label-{serial_number}.y4m"
    with video.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            out.write(b"FRAME\n" + picture)
    return video
