"""Install tsunagu's rich menu (the anytime commands) on the LINE channel.

    python scripts/install_richmenu.py            # uses LINE_API_BASE_URL and the token from settings
    python scripts/install_richmenu.py --draw     # redraw data/richmenu/richmenu.png first (Pillow)

The menu is data (``data/richmenu/richmenu.json``); its buttons send the command words the
conversation knows (``data/conversation/commands.yml``).  A menu of the same name is
replaced: the new one is made every user's default first, then the old one is deleted.  The base URL comes from settings,
so the same script runs against the local fake Messaging API.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
MENU_FILE = REPO_ROOT / "data" / "richmenu" / "richmenu.json"
IMAGE_FILE = REPO_ROOT / "data" / "richmenu" / "richmenu.png"
LINE_API = "https://api.line.me"
LINE_DATA_API = "https://api-data.line.me"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
# Latin captions (the English line of a tile) read better in a proportional Latin font.
LATIN_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
COLOURS = ("#2f6f5e", "#3f8a74", "#2f6f5e", "#c77d2b", "#8a4b3f", "#3b5f8a")


def load_menu(path: Path = MENU_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def draw_image(menu: dict[str, Any]) -> bytes:
    """The menu's picture: one coloured tile per area with its caption lines, the last of
    several smaller (needs Pillow and a CJK font). ``caption`` is only drawn: LINE's model
    drops it, so the menu sent is the same."""
    from PIL import Image, ImageDraw, ImageFont

    size = menu["size"]
    image = Image.new("RGB", (size["width"], size["height"]), "white")
    draw = ImageDraw.Draw(image)
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if font_path is None:
        raise RuntimeError("no Japanese font found to draw the rich menu")
    latin_path = next((p for p in LATIN_FONT_CANDIDATES if Path(p).exists()), font_path)
    for index, area in enumerate(menu["areas"]):
        b = area["bounds"]
        box = (b["x"] + 8, b["y"] + 8, b["x"] + b["width"] - 8, b["y"] + b["height"] - 8)
        draw.rounded_rectangle(box, radius=40, fill=COLOURS[index % len(COLOURS)])
        lines = area.get("caption") or [area["action"]["label"]]
        fonts = []
        for number, line in enumerate(lines):
            path = latin_path if line.isascii() else font_path
            font_size = 90 if number == len(lines) - 1 and number > 0 else 150
            font = ImageFont.truetype(path, font_size)
            while font.getlength(line) > b["width"] - 120 and font_size > 30:
                font_size -= 6
                font = ImageFont.truetype(path, font_size)
            fonts.append(font)
        heights = [int(font.size * 1.3) for font in fonts]
        y = b["y"] + (b["height"] - sum(heights)) / 2
        for line, font, height in zip(lines, fonts, heights, strict=True):
            draw.text((b["x"] + b["width"] / 2, y + height / 2), line, font=font, fill="white", anchor="mm")
            y += height
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def data_api_base(base: str) -> str:
    """Images go to api-data.line.me; a local fake serves both on one base URL."""
    return LINE_DATA_API if base.rstrip("/") == LINE_API else base


def install(*, base_url: str, access_token: str, menu: dict[str, Any], image: bytes) -> str:
    """Create the new menu, upload its image and make it the default, and only then delete
    the old menus of the same name: residents are never left without a menu. If a step
    fails, the half-made new menu is removed and the old one stays as it was."""
    api_client = ApiClient(Configuration(host=base_url, access_token=access_token))
    blob_client = ApiClient(Configuration(host=data_api_base(base_url), access_token=access_token))
    with api_client, blob_client:
        api = MessagingApi(api_client)
        blob = MessagingApiBlob(blob_client)
        request = RichMenuRequest.from_dict(menu)
        api.validate_rich_menu_object(request)
        old_ids = [m.rich_menu_id for m in api.get_rich_menu_list().richmenus if m.name == menu["name"]]
        menu_id = api.create_rich_menu(request).rich_menu_id
        try:
            blob.set_rich_menu_image(menu_id, body=bytearray(image), _headers={"Content-Type": "image/png"})
            api.set_default_rich_menu(menu_id)
        except Exception:
            api.delete_rich_menu(menu_id)
            raise
        for old_id in old_ids:
            api.delete_rich_menu(old_id)
        return menu_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draw", action="store_true", help="redraw the PNG with Pillow before installing")
    parser.add_argument("--draw-only", action="store_true", help="redraw the PNG and stop")
    args = parser.parse_args(argv)
    menu = load_menu()
    if args.draw or args.draw_only:
        IMAGE_FILE.write_bytes(draw_image(menu))
        print(f"drew {IMAGE_FILE}")
        if args.draw_only:
            return 0
    sys.path.insert(0, str(REPO_ROOT))
    from bot.services import line_api_base
    from settings import get_settings

    settings = get_settings()
    menu_id = install(
        base_url=line_api_base(settings),
        access_token=settings.line.channel_access_token.get_secret_value(),
        menu=menu,
        image=IMAGE_FILE.read_bytes(),
    )
    print(f"installed rich menu {menu_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
