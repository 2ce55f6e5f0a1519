"""The rich menu: its buttons are commands the conversation knows, and the install script
puts it on the channel (here the fake Messaging API) as everyone's default."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

from linebot.v3.messaging import RichMenuRequest

from flows import postback
from flows.commands import LANGUAGE_COMMAND, SwitchLanguage, load_words
from tests.support.line import ACCESS_TOKEN

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install_richmenu.py"
spec = importlib.util.spec_from_file_location("install_richmenu", SCRIPT)
assert spec and spec.loader
install_richmenu = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_richmenu)


def test_every_menu_button_sends_a_known_command():
    menu = install_richmenu.load_menu()
    words = load_words()
    sent = []
    for area in menu["areas"]:
        action = area["action"]
        if action["type"] == "message":
            sent.append(words.command(action["text"]))
            # The picture says what the button sends: its Japanese lines, then English.
            assert "".join(area["caption"][:-1]) == action["label"] == action["text"]
        else:  # the language tile: a postback the conversation can tell from any answer
            assert postback.decode(action["data"]) == {"a": "cmd", "v": LANGUAGE_COMMAND}
            assert words.switch_language(action["displayText"]) == SwitchLanguage(None)
            sent.append(LANGUAGE_COMMAND)
    assert sorted(sent) == sorted(["back", "restart", "stop", "human", "delete_data", LANGUAGE_COMMAND])


def test_the_tiles_cover_the_picture_and_the_caption_never_reaches_line():
    menu = install_richmenu.load_menu()
    size = menu["size"]
    assert sum(a["bounds"]["width"] * a["bounds"]["height"] for a in menu["areas"]) == (
        size["width"] * size["height"])
    sent = RichMenuRequest.from_dict(menu).to_dict()
    assert all("caption" not in area for area in sent["areas"])
    assert [a["action"]["type"] for a in sent["areas"]].count("postback") == 1


async def test_install_replaces_the_menu_and_makes_it_default(fake_line):
    fake, url = fake_line
    menu = install_richmenu.load_menu()
    image = install_richmenu.IMAGE_FILE.read_bytes()
    first = await asyncio.to_thread(
        install_richmenu.install, base_url=url, access_token=ACCESS_TOKEN, menu=menu, image=image
    )
    second = await asyncio.to_thread(
        install_richmenu.install, base_url=url, access_token=ACCESS_TOKEN, menu=menu, image=image
    )
    assert first != second
    assert list(fake.rich_menus.menus) == [second]  # the old one was replaced, not piled up
    assert fake.rich_menus.default == second
    content_type, stored = fake.rich_menus.images[second]
    assert content_type == "image/png" and stored == image and stored.startswith(b"\x89PNG")


def test_committed_image_matches_the_menu_size():
    import struct

    header = install_richmenu.IMAGE_FILE.read_bytes()[:24]
    width, height = struct.unpack(">II", header[16:24])
    menu = install_richmenu.load_menu()
    assert (width, height) == (menu["size"]["width"], menu["size"]["height"])


async def test_a_failed_install_leaves_the_old_menu_in_place(fake_line):
    """The new menu is made default before the old one goes: an upload that fails leaves
    residents with the old menu, not with none, and no half-made menu behind."""
    import pytest
    from linebot.v3.messaging.exceptions import ApiException

    fake, url = fake_line
    menu = install_richmenu.load_menu()
    image = install_richmenu.IMAGE_FILE.read_bytes()
    old = await asyncio.to_thread(
        install_richmenu.install, base_url=url, access_token=ACCESS_TOKEN, menu=menu, image=image
    )
    with pytest.raises(ApiException):
        await asyncio.to_thread(
            install_richmenu.install, base_url=url, access_token=ACCESS_TOKEN, menu=menu, image=b""
        )
    assert list(fake.rich_menus.menus) == [old]
    assert fake.rich_menus.default == old
