"""Avatar pictures: checking an upload, making square renditions, storing them.

An upload goes through :func:`prepare_avatar`, which either raises a
``ValidationError`` that tells the member what to do, or returns the encoded
renditions in memory. Only then does :func:`store_avatar` write them to the
default storage under a fresh random folder, so a failure at any step leaves
the member's current avatar untouched. Old renditions are removed with
:func:`delete_avatar` once the database points at the new ones.

Storage can fail too (a full or read-only disk, an object store that does not
answer): :func:`store_avatar` then removes whatever it wrote, even a partly
written file, and the profile service answers with :class:`AvatarNotStored`.

Every rendition is re-encoded from decoded pixels, which is what strips EXIF
(including GPS positions), XMP, comments and colour profiles.
"""

import io
import logging
import os
import uuid
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from fansite.web.refusals import Refused

logger = logging.getLogger(__name__)

# Pillow's names for the formats we accept. Only these decoders are tried, which
# also keeps the many rarer (and less hardened) image parsers out of reach.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
RENDITION_FORMAT = "WEBP"
RENDITION_QUALITY = 85
AVATAR_FOLDER = "avatars"
# Rendition file name inside a member's avatar folder, e.g. avatars/<hex>/128.webp.
AVATAR_RENDITION_NAME = "{folder}/{size}.webp"


class AvatarNotStored(Refused):
    """The picture was fine but could not be written (disk full or read-only, object
    store down): nothing was changed, and the member can only try again later."""

    status = 503

    def __init__(self):
        super().__init__(
            _(
                "Your picture could not be saved: the site cannot store files just now. "
                "Nothing on your profile was changed; please try again later."
            )
        )


@dataclass(frozen=True)
class PreparedAvatar:
    """Encoded square renditions, keyed by size in pixels, not yet stored."""

    renditions: dict[int, bytes]


def _file_size(num_bytes):
    """``12.3 MB``, ``5 MB``, ``800 KB``: one decimal at most, none when it is zero."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if num_bytes >= factor:
            value = number_format(round(num_bytes / factor, 1), decimal_pos=1)
            return f"{value.removesuffix('.0')} {unit}"
    return ngettext("%(count)d byte", "%(count)d bytes", num_bytes) % {"count": num_bytes}


def _not_an_image():
    return ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."), code="avatar_format")


def _damaged():
    return ValidationError(
        _("That image could not be read; the file may be damaged. Try saving it again."),
        code="avatar_damaged",
    )


def _pixel_limit():
    """Our limit, never above Pillow's own decompression-bomb threshold."""
    limit = settings.AVATAR_MAX_PIXELS
    if Image.MAX_IMAGE_PIXELS:
        limit = min(limit, Image.MAX_IMAGE_PIXELS)
    return limit


def _too_many_pixels(pixels=None):
    values = {"limit": number_format(_pixel_limit(), force_grouping=True)}
    if pixels is None:
        message = _(
            "That image is too large; the limit is %(limit)s pixels. Resize it and upload it again."
        )
    else:
        message = _(
            "That image is too large (%(pixels)s pixels); the limit is %(limit)s pixels. "
            "Resize it and upload it again."
        )
        values["pixels"] = number_format(pixels, force_grouping=True)
    return ValidationError(message % values, code="avatar_pixels")


def _too_big(size):
    return ValidationError(
        _("That image is %(size)s; the limit is %(limit)s. Upload a smaller image.")
        % {"size": _file_size(size), "limit": _file_size(settings.AVATAR_MAX_BYTES)},
        code="avatar_bytes",
    )


def _read_upload(upload):
    """The upload's bytes, refusing anything over the limit before decoding it."""
    limit = settings.AVATAR_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _too_big(upload.size)
    upload.seek(0)
    # Read one byte past the limit in case the declared size is wrong.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(upload.size or len(data))
    if not data:
        raise _not_an_image()
    return data


def _open(data):
    """Open (header only) as one of the accepted formats, or refuse."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses headers declaring far more pixels than any photo needs
        # (the warning only arrives as an exception where warnings are errors).
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image() from None
    if image.format not in ACCEPTED_FORMATS:
        raise _not_an_image()
    return image


def _to_srgb(image):
    """Convert to plain RGB(A) in sRGB, honouring an embedded colour profile."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
    if icc and image.mode in {"RGB", "RGBA", "CMYK", "L"}:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            image = converted
    return image.convert(mode)


def _square(image):
    """The largest centred square of ``image``."""
    side = min(image.size)
    left = (image.width - side) // 2
    top = (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def _encode(image):
    buffer = io.BytesIO()
    # A fresh info dict: nothing read from the upload is written back out.
    image.info = {}
    image.save(buffer, RENDITION_FORMAT, quality=RENDITION_QUALITY, method=4)
    return buffer.getvalue()


def prepare_avatar(upload):
    """Check an uploaded file and render its square renditions in memory.

    Raises ``ValidationError`` with a message for the member when the file is too
    big, is not a JPEG, PNG, WebP or GIF image, has too many pixels or cannot be
    decoded. Only the first frame of an animation is used.
    """
    data = _read_upload(upload)
    image = _open(data)
    # Only the header has been read so far: refuse oversized images before
    # anything allocates memory for their pixels.
    pixels = image.width * image.height
    if pixels > _pixel_limit():
        raise _too_many_pixels(pixels)
    if pixels == 0:
        raise _not_an_image()
    try:
        image.verify()
    except Exception:  # verify() raises all sorts for a broken file
        raise _damaged() from None

    # verify() leaves the image unusable, so decode from a fresh open.
    image = _open(data)
    try:
        image.seek(0)
        image.load()
        upright = ImageOps.exif_transpose(image)
        square = _square(_to_srgb(upright))
    except (OSError, ValueError, SyntaxError, EOFError):
        raise _damaged() from None
    finally:
        image.close()

    renditions = {}
    for size in sorted(settings.AVATAR_SIZES):
        rendition = square.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        renditions[size] = _encode(rendition)
    return PreparedAvatar(renditions=renditions)


def store_avatar(prepared):
    """Write the renditions under a new random folder; return that folder's name.

    If any write fails, the files written so far are removed again, and so is
    the one being written: a full disk leaves it behind, empty or cut short.
    """
    folder = f"{AVATAR_FOLDER}/{uuid.uuid4().hex}"
    written = []
    try:
        for size, content in prepared.renditions.items():
            name = AVATAR_RENDITION_NAME.format(folder=folder, size=size)
            try:
                stored = default_storage.save(name, ContentFile(content))
            except Exception:
                # A full disk leaves the file it could not finish behind; the
                # folder is new and random, so nobody else's file has that name.
                written.append(name)
                raise
            written.append(stored)
            if stored != name:
                raise OSError(f"storage renamed {name!r} to {stored!r}")
    except Exception:
        _remove_partial(folder, written)
        raise
    return folder


def _remove_partial(folder, names):
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            # A read-only disk refuses even to delete what is not there; one that
            # took a file would not refuse to remove it.
            logger.warning("Could not remove %s after a failed upload.", name, exc_info=True)
    # Object storage has no folders (NotImplementedError); a disk may have
    # refused to make this one.
    with suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(folder))


def delete_avatar(names):
    """Remove stored rendition files; missing ones are ignored."""
    for name in names:
        default_storage.delete(name)


def default_avatar_svg(member, size):
    """The member's initials on their colour, as inline SVG (the type is in users.css).
    Built here rather than in a template: a thread page draws one per comment."""
    initials = member.initials
    return format_html(
        '<svg class="avatar avatar--generated{}" width="{}" height="{}" viewBox="0 0 100 100" '
        'aria-hidden="true" focusable="false"><circle cx="50" cy="50" r="50" fill="{}"/>'
        '<text x="50" y="50" dy=".35em" fill="{}">{}</text></svg>',
        "" if len(initials) > 1 else " avatar--one-letter",
        size,
        size,
        member.avatar_colour,
        member.avatar_text_colour,
        initials,
    )


def avatar_html(member, size):
    """An uploaded avatar as <img> (with a sharper rendition for dense screens), or
    the generated one. Decorative: the member's name is always shown next to it."""
    if not member.has_avatar:
        return default_avatar_svg(member, size)
    standard, double = member.avatar_url(size), member.avatar_url(size * 2)
    srcset = format_html(' srcset="{} 1x, {} 2x"', standard, double) if double != standard else ""
    return format_html(
        '<img class="avatar" src="{}"{} width="{}" height="{}" alt="">',
        standard,
        srcset,
        size,
        size,
    )


def default_avatar_data_uri(member, size):
    """The generated initials avatar as a ``data:`` URI, for places that need a URL."""
    svg = " ".join(default_avatar_svg(member, size).split())
    return "data:image/svg+xml," + quote(svg, safe="")
