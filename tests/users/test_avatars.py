"""The avatar service on its own: what it accepts, refuses and stores."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import Image, ImageCms

from fansite.users import avatars, services

from .factories import UserFactory
from .images import (
    BLUE,
    RED,
    exif_with_camera_and_location,
    image_bytes,
    png_bomb,
    sideways_jpeg,
    two_frame_gif,
    upload,
)


def open_rendition(member, size):
    name = f"{member.avatar}/{size}.webp"
    with default_storage.open(name) as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def is_close(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [
        (image_bytes("PNG", size=(300, 200)), "holiday-in-seoul.png"),
        (image_bytes("JPEG", size=(200, 300)), "holiday-in-seoul.jpg"),
        (image_bytes("WEBP", size=(120, 90)), "holiday-in-seoul.webp"),
        (image_bytes("GIF", size=(80, 80)), "holiday-in-seoul.gif"),
    ],
)
def test_accepted_images_are_stored_as_square_renditions_under_a_random_name(content, name):
    member = UserFactory()
    services.update_profile(
        member=member,
        display_name="",
        bio="",
        avatar=avatars.prepare_avatar(upload(content, name=name)),
    )
    member.refresh_from_db()
    assert re.fullmatch(r"avatars/[0-9a-f]{32}", member.avatar)
    for size in (48, 128, 256):
        rendition = open_rendition(member, size)
        assert rendition.format == "WEBP"
        assert rendition.size == (size, size)
        assert is_close(rendition.getpixel((size // 2, size // 2)), RED)
    assert all("holiday" not in stored for stored in member.avatar_rendition_names())


def test_camera_location_and_colour_profile_metadata_are_removed():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for fmt in ("JPEG", "PNG", "WEBP"):
        original = image_bytes(fmt, exif=exif_with_camera_and_location(), icc_profile=icc)
        assert Image.open(io.BytesIO(original)).getexif()  # the upload does carry EXIF

        prepared = avatars.prepare_avatar(upload(original))

        for content in prepared.renditions.values():
            assert b"SpyCam" not in content
            rendition = Image.open(io.BytesIO(content))
            assert not rendition.getexif()
            assert not set(rendition.info) & {"exif", "icc_profile", "xmp", "comment"}


def test_exif_orientation_is_applied_before_cropping():
    prepared = avatars.prepare_avatar(upload(sideways_jpeg(), name="photo.jpg"))

    rendition = Image.open(io.BytesIO(prepared.renditions[128])).convert("RGB")
    # Upright, the photo is red above blue; unrotated it would be red left of blue.
    assert is_close(rendition.getpixel((120, 10)), RED)
    assert is_close(rendition.getpixel((8, 120)), BLUE)


def test_only_the_first_frame_of_an_animation_is_used():
    prepared = avatars.prepare_avatar(upload(two_frame_gif(), name="wave.gif"))

    rendition = Image.open(io.BytesIO(prepared.renditions[48]))
    assert getattr(rendition, "n_frames", 1) == 1
    assert is_close(rendition.convert("RGB").getpixel((24, 24)), RED)


@pytest.mark.parametrize(
    ("fmt", "mode", "colour"),
    [
        ("JPEG", "CMYK", (0, 255, 255, 0)),
        ("JPEG", "L", 128),
        ("PNG", "P", 1),
        ("PNG", "I;16", 30000),
        ("PNG", "LA", (128, 255)),
        ("GIF", "L", 200),
    ],
)
def test_unusual_colour_modes_become_plain_renditions(fmt, mode, colour):
    prepared = avatars.prepare_avatar(upload(image_bytes(fmt, mode=mode, colour=colour)))

    for size, content in prepared.renditions.items():
        rendition = Image.open(io.BytesIO(content))
        assert rendition.size == (size, size)
        assert rendition.mode in {"RGB", "RGBA"}


def test_transparency_is_kept():
    prepared = avatars.prepare_avatar(upload(image_bytes("PNG", mode="RGBA", colour=(0, 0, 0, 0))))
    rendition = Image.open(io.BytesIO(prepared.renditions[48]))
    assert rendition.mode == "RGBA"
    assert rendition.getpixel((24, 24))[3] == 0


@pytest.mark.parametrize(
    "content",
    [
        b"This is a text file with a .png name.\n",
        b"",
        image_bytes("BMP"),  # a real image, but not a format we take
        image_bytes("TIFF"),
    ],
)
def test_files_that_are_not_accepted_images_are_refused_whatever_their_name(content):
    with pytest.raises(ValidationError) as excinfo:
        avatars.prepare_avatar(upload(content, name="avatar.png", content_type="image/png"))
    assert excinfo.value.messages == ["Upload a JPEG, PNG, WebP or GIF image."]


def test_a_damaged_image_is_refused():
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]

    with pytest.raises(ValidationError, match="could not be read"):
        avatars.prepare_avatar(upload(truncated))


def test_a_file_over_the_size_limit_is_refused_before_decoding(settings):
    settings.AVATAR_MAX_BYTES = 2 * 1024
    noisy = Image.effect_noise((200, 200), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    content = buffer.getvalue()
    assert len(content) > 2 * 1024

    with pytest.raises(ValidationError) as excinfo:
        avatars.prepare_avatar(upload(content))
    size = f"{round(len(content) / 1024, 1):.1f}".removesuffix(".0")
    assert excinfo.value.messages == [
        f"That image is {size} KB; the limit is 2 KB. Upload a smaller image."
    ]


def test_the_size_message_speaks_in_megabytes_for_photos(settings):
    settings.AVATAR_MAX_BYTES = 5 * 1024 * 1024
    big = upload(b"\x00" * int(12.3 * 1024 * 1024))

    with pytest.raises(ValidationError) as excinfo:
        avatars.prepare_avatar(big)
    assert excinfo.value.messages == [
        "That image is 12.3 MB; the limit is 5 MB. Upload a smaller image."
    ]


def test_a_decompression_bomb_is_refused_without_being_decoded():
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 100_000  # tiny on disk, 400 million pixels once decoded

    with pytest.raises(ValidationError) as excinfo:
        avatars.prepare_avatar(upload(bomb))
    assert "That image is too large" in excinfo.value.messages[0]
    assert "the limit is 25,000,000 pixels" in excinfo.value.messages[0]


def test_an_image_over_the_pixel_limit_is_refused_with_its_size(settings):
    settings.AVATAR_MAX_PIXELS = 10_000

    with pytest.raises(ValidationError) as excinfo:
        avatars.prepare_avatar(upload(image_bytes("PNG", size=(200, 150))))
    assert excinfo.value.messages == [
        "That image is too large (30,000 pixels); the limit is 10,000 pixels. "
        "Resize it and upload it again."
    ]


@pytest.mark.django_db
def test_replacing_an_avatar_deletes_the_old_files_after_commit(
    django_capture_on_commit_callbacks,
):
    member = UserFactory()
    services.update_profile(
        member=member, display_name="", bio="", avatar=avatars.prepare_avatar(upload(image_bytes()))
    )
    old_files = member.avatar_rendition_names()
    assert all(default_storage.exists(name) for name in old_files)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(
            member=member,
            display_name="",
            bio="",
            avatar=avatars.prepare_avatar(upload(image_bytes("JPEG"))),
        )

    assert not any(default_storage.exists(name) for name in old_files)
    assert all(default_storage.exists(name) for name in member.avatar_rendition_names())


@pytest.mark.django_db
def test_removing_an_avatar_deletes_its_files(django_capture_on_commit_callbacks):
    member = UserFactory()
    services.update_profile(
        member=member, display_name="", bio="", avatar=avatars.prepare_avatar(upload(image_bytes()))
    )
    old_files = member.avatar_rendition_names()

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_avatar(member=member)

    member.refresh_from_db()
    assert member.avatar == ""
    assert not any(default_storage.exists(name) for name in old_files)
    assert member.avatar_url(48).startswith("data:image/svg+xml,")


@pytest.mark.django_db
def test_a_failed_write_leaves_no_files_and_the_old_avatar(monkeypatch):
    member = UserFactory()
    services.update_profile(
        member=member, display_name="", bio="", avatar=avatars.prepare_avatar(upload(image_bytes()))
    )
    member.refresh_from_db()
    previous = member.avatar
    real_save = FileSystemStorage.save
    written = []

    def save_then_fail(storage, name, content, max_length=None):
        if written:
            raise OSError("disk full")
        written.append(real_save(storage, name, content, max_length=max_length))
        return written[-1]

    monkeypatch.setattr(FileSystemStorage, "save", save_then_fail)
    with pytest.raises(avatars.AvatarNotStored) as refused:
        services.update_profile(
            member=member,
            display_name="",
            bio="",
            avatar=avatars.prepare_avatar(upload(image_bytes("JPEG"))),
        )

    assert "could not be saved" in refused.value.message
    assert isinstance(refused.value.__cause__, OSError)
    member.refresh_from_db()
    assert member.avatar == previous
    assert all(default_storage.exists(name) for name in member.avatar_rendition_names())
    assert not default_storage.exists(written[0])
