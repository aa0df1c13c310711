"""Colour maths for the accessibility checks: WCAG contrast, CIELAB and CIEDE2000, simulated colour blindness."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from matplotlib.colors import to_rgba as _matplotlib_rgba  # knows hex, CSS4 names and tuples

RGB = tuple[float, float, float]  # sRGB, each channel 0 to 1 (gamma encoded, as in CSS and PNG)
RGBA = tuple[float, float, float, float]

# WCAG 2.1 minimum contrast ratios: text (1.4.3), large text (1.4.3), graphics and UI boundaries (1.4.11).
TEXT_CONTRAST, LARGE_TEXT_CONTRAST, GRAPHICS_CONTRAST = 4.5, 3.0, 3.0
# WCAG "large text": at least 18 pt (24 CSS px), or 14 pt (18.66 CSS px) bold.
LARGE_TEXT_PX, LARGE_BOLD_TEXT_PX = 24.0, 18.66

DEFICIENCIES = ("protanopia", "deuteranopia", "tritanopia")
# Machado, Oliveira & Fernandes 2009, "A physiologically-based model for simulation of color vision
# deficiency", IEEE TVCG 15(6): the severity 1.0 matrices (dichromacy), applied to linear sRGB. Their tritanopia
# is the least validated of the three (Brettel, Viénot & Mollon 1997 model it more closely); it is kept for one method.
_MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
# IEC 61966-2-1 sRGB (D65) linear RGB -> CIE XYZ, and the D65 white point for CIELAB.
_RGB_TO_XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
_WHITE_D65 = (0.95047, 1.0, 1.08883)
_CSS_RGB = re.compile(r"rgba?\(\s*([^)]*)\)", re.IGNORECASE)


def to_rgba(colour) -> RGBA:
    """Any matplotlib or CSS colour ("#RGB", "#RRGGBB", a name, "rgb(r, g, b)", a tuple) as RGBA floats."""
    if isinstance(colour, str):
        match = _CSS_RGB.fullmatch(colour.strip())
        if match:
            parts = [p.strip() for p in re.split(r"[,\s/]+", match.group(1).strip())]
            channels = [float(p[:-1]) / 100 if p.endswith("%") else float(p) / 255 for p in parts[:3]]
            alpha = parts[3] if len(parts) > 3 else "1"
            opacity = float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
            return (*channels, opacity)
    return tuple(float(c) for c in _matplotlib_rgba(colour))


def to_hex(colour) -> str:
    """``colour`` as "#RRGGBB" (alpha dropped)."""
    return "#" + "".join(f"{round(255 * c):02X}" for c in to_rgba(colour)[:3])


def composite(colour, background) -> RGB:
    """``colour`` with its alpha painted over the opaque ``background``, blended in sRGB as browsers and Agg do."""
    *rgb, alpha = to_rgba(colour)
    below = to_rgba(background)[:3]
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(rgb, below))


def _linear(channel: float) -> float:
    # The sRGB transfer function; WCAG 2.1 prints 0.03928, a typo for 0.04045 that changes no 8-bit value.
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _encoded(channel: float) -> float:
    channel = min(1.0, max(0.0, channel))
    return 12.92 * channel if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def relative_luminance(colour) -> float:
    """WCAG relative luminance of an opaque colour: 0 for black, 1 for white."""
    r, g, b = (_linear(c) for c in to_rgba(colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second) -> float:
    """WCAG contrast ratio of two opaque colours, from 1 (same luminance) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def is_large_text(size_px: float, bold: bool) -> bool:
    """Whether text of ``size_px`` CSS pixels counts as large for WCAG (so 3:1 is enough)."""
    return size_px >= LARGE_TEXT_PX or (bold and size_px >= LARGE_BOLD_TEXT_PX)


def simulate(colour, deficiency: str) -> RGB:
    """How ``colour`` looks with ``deficiency`` (protanopia, deuteranopia or tritanopia), per Machado et al. 2009."""
    if deficiency not in _MACHADO_2009:
        raise ValueError(f"deficiency must be one of {DEFICIENCIES}, not {deficiency!r}")
    linear = [_linear(c) for c in to_rgba(colour)[:3]]
    return tuple(_encoded(sum(m * c for m, c in zip(row, linear))) for row in _MACHADO_2009[deficiency])


def to_lab(colour) -> tuple[float, float, float]:
    """CIELAB (D65) coordinates L*, a*, b* of an opaque sRGB colour."""
    linear = [_linear(c) for c in to_rgba(colour)[:3]]
    xyz = [sum(m * c for m, c in zip(row, linear)) / white for row, white in zip(_RGB_TO_XYZ, _WHITE_D65)]
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e_2000(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu & Dalal 2005, with kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    delta_l, delta_c = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        delta_h = 0.0
    elif abs(h2p - h1p) <= 180:
        delta_h = h2p - h1p
    else:
        delta_h = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    delta_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(delta_h / 2))
    mean_l, mean_cp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        mean_h = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        mean_h = (h1p + h2p) / 2
    else:
        mean_h = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(mean_h - 30)) + 0.24 * math.cos(math.radians(2 * mean_h))
         + 0.32 * math.cos(math.radians(3 * mean_h + 6)) - 0.20 * math.cos(math.radians(4 * mean_h - 63)))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c = 1 + 0.045 * mean_cp
    s_h = 1 + 0.015 * mean_cp * t
    r_t = (-2 * math.sqrt(mean_cp**7 / (mean_cp**7 + 25**7))
           * math.sin(math.radians(60 * math.exp(-(((mean_h - 275) / 25) ** 2)))))
    terms = (delta_l / s_l, delta_c / s_c, delta_big_h / s_h)
    return math.sqrt(terms[0] ** 2 + terms[1] ** 2 + terms[2] ** 2 + r_t * terms[1] * terms[2])


def colour_difference(first, second, deficiency: str | None = None) -> float:
    """CIEDE2000 difference of two opaque colours as seen with ``deficiency`` (None: typical colour vision)."""
    if deficiency is not None:
        first, second = simulate(first, deficiency), simulate(second, deficiency)
    return delta_e_2000(to_lab(first), to_lab(second))


def least_difference(first, second) -> tuple[float, str]:
    """The smallest CIEDE2000 difference of two colours over typical vision and the three dichromacies, and where."""
    seen = [(colour_difference(first, second, d), d or "typical vision") for d in (None, *DEFICIENCIES)]
    return min(seen)
