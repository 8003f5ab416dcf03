"""Tesseract behind a one-method port: image in, positioned words out (``por``).

Two ways to run it, the same words either way (both read the same PNM bytes with Leptonica
and give the same TSV):

- the ``tesseract`` command through pytesseract, a process per call (the default: a crash or
  a hang of the native code costs that call only, so a server process may use it);
- ``in_process``: Tesseract's own library (``ctypes`` on ``libtesseract``, which the command
  runs on), its model loaded once per process and thread, where the command loads it on every
  call (~0.2 s of CPU each; a document makes 2-6 calls). For the reader's worker processes
  (``pool.py``), whose crash the pool survives; where the library cannot be loaded, the
  command runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import os
import tempfile
import threading
import time
from typing import Protocol

import pytesseract
from PIL import Image

from bot.documents.errors import DocumentError, ReadTimeout
from bot.documents.page import Word

OEM_LSTM_ONLY = 1
# no second, inverted reading of each line (white on black): the documents print dark on light
SETTINGS = {"tessedit_do_invert": "0"}


class OcrEngine(Protocol):
    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        """Recognize ``image`` with page-segmentation mode ``psm``."""
        ...


class TesseractEngine:
    """Tesseract with a time limit per call (0: none): the command, or ``in_process`` the
    library (falling back to the command where it cannot be loaded).

    ``command``: the ``tesseract`` executable (pytesseract's ``tesseract_cmd``); ``library``:
    the library's file name, found on the system when empty.
    """

    def __init__(
        self,
        *,
        lang: str = "por",
        timeout: float = 20.0,
        command: str = "",
        in_process: bool = False,
        library: str = "",
    ) -> None:
        self.lang = lang
        self.timeout = timeout
        self.command = command
        self.in_process = in_process
        self.library = library

    @property
    def loaded(self) -> bool:
        """Whether calls go to the library in this process (not to the command)."""
        return self._api() is not None

    def _api(self) -> _Api | None:
        return _api(self.lang, self.library) if self.in_process else None

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        # an uncompressed PNM: pytesseract's own PNG encoding costs more than OCR on small crops
        binary = image.mode == "1" or (image.mode == "L" and _two_level(image))
        # black and white already: no dithering (Pillow's default, 0.04 s on a page)
        plain = image.mode == "1" or _black_and_white(image)
        pnm = (
            image.convert("1", dither=Image.Dither.NONE if plain else Image.Dither.FLOYDSTEINBERG)
            if binary
            else image.convert("L")
        )
        api = self._api()
        if api is not None:
            buffer = io.BytesIO()
            pnm.save(buffer, format="PPM")  # PBM or PGM by the mode
            return _parse(api.tsv(buffer.getvalue(), psm=psm, timeout=self.timeout))
        return self._command_words(pnm, psm=psm, suffix=".pbm" if binary else ".pgm")

    def _command_words(self, image: Image.Image, *, psm: int, suffix: str) -> list[Word]:
        if self.command:
            pytesseract.pytesseract.tesseract_cmd = self.command
        fd, path = tempfile.mkstemp(suffix=suffix, prefix="ocr-")
        os.close(fd)
        settings = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        try:
            image.save(path)
            tsv = pytesseract.image_to_data(
                path,
                lang=self.lang,
                config=f"--oem {OEM_LSTM_ONLY} --psm {psm} {settings}",
                output_type=pytesseract.Output.STRING,
                timeout=self.timeout,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise DocumentError("tesseract is not installed") from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise ReadTimeout(f"OCR took longer than {self.timeout:.0f} s") from exc
            raise DocumentError(f"tesseract failed: {exc}") from exc
        finally:
            os.unlink(path)
        return _parse(str(tsv).split("\n", 1)[1] if "\n" in str(tsv) else "")


def _parse(tsv: str) -> list[Word]:
    """Words from Tesseract's TSV rows (no header): level, page, block, paragraph, line,
    word, left, top, width, height, confidence, text. Confidences are truncated to whole
    numbers, as pytesseract gave them."""
    words: list[Word] = []
    for line in tsv.strip("\n").split("\n"):
        cells = line.split("\t")
        if len(cells) < 12:
            continue
        text, conf = cells[11].strip(), float(int(float(cells[10])))
        if not text or conf < 0:
            continue
        left, top = float(cells[6]), float(cells[7])
        words.append(Word(text, left, top, left + float(cells[8]), top + float(cells[9]), conf))
    return words


def _two_level(image: Image.Image) -> bool:
    colors = image.getcolors(maxcolors=2)
    return colors is not None


def _black_and_white(image: Image.Image) -> bool:
    """Only 0 and 255 (the binarized page): converted to one bit the same with or without
    dithering, which spreads another grey's error into black specks."""
    colors = image.getcolors(maxcolors=2)
    return colors is not None and {c for _, c in colors} <= {0, 255}


class _Api:
    """One loaded ``TessBaseAPI`` (not thread-safe: one per thread)."""

    def __init__(self, *, tess: ctypes.CDLL, lept: ctypes.CDLL, handle: int) -> None:
        self.tess, self.lept, self.handle = tess, lept, handle

    def tsv(self, pnm: bytes, *, psm: int, timeout: float) -> str:
        pix = self.lept.pixReadMem(pnm, len(pnm))
        if not pix:
            raise DocumentError("tesseract could not decode the page image")
        monitor = self.tess.TessMonitorCreate()
        try:
            self.tess.TessBaseAPISetPageSegMode(self.handle, psm)
            self.tess.TessBaseAPISetImage2(self.handle, pix)
            if timeout > 0:  # 0: no time limit (as pytesseract's)
                self.tess.TessMonitorSetDeadlineMSecs(monitor, max(int(timeout * 1000), 1))
            start = time.monotonic()
            failed = self.tess.TessBaseAPIRecognize(self.handle, monitor) != 0
            if 0 < timeout <= time.monotonic() - start:
                raise ReadTimeout(f"OCR took longer than {timeout:g} s")
            if failed:
                raise DocumentError("tesseract failed to recognize the page")
            text = self.tess.TessBaseAPIGetTsvText(self.handle, 0)
            try:
                return ctypes.string_at(text).decode("utf-8", "replace") if text else ""
            finally:
                self.tess.TessDeleteText(text)
        finally:
            self.tess.TessBaseAPIClear(self.handle)
            self.tess.TessMonitorDelete(monitor)
            self.lept.pixDestroy(ctypes.byref(ctypes.c_void_p(pix)))


_loaded = threading.local()


def _api(lang: str, library: str) -> _Api | None:
    """This process's and thread's API for ``lang`` (loaded on first use), or None when the
    library cannot be loaded. Keyed by the process too: a forked worker loads its own."""
    cache: dict[tuple[int, str, str], _Api | None] = _loaded.__dict__.setdefault("apis", {})
    key = (os.getpid(), lang, library)
    if key not in cache:
        cache[key] = _load(lang, library)
    return cache[key]


def _load(lang: str, library: str) -> _Api | None:
    names = (library,) if library else ("tesseract", "libtesseract.so.5")
    path = next((p for p in (ctypes.util.find_library(n) or n for n in names) if p), None)
    try:
        tess = ctypes.CDLL(path)
        lept = ctypes.CDLL(ctypes.util.find_library("lept") or "liblept.so.5")
    except OSError:
        return None
    _declare(tess, lept)
    handle = tess.TessBaseAPICreate()
    if not handle:
        return None
    if tess.TessBaseAPIInit2(handle, None, lang.encode(), OEM_LSTM_ONLY) != 0:
        tess.TessBaseAPIDelete(handle)
        return None
    # Tesseract's notes ("Estimating resolution as ...") would go to the server's stderr
    for name, value in {**SETTINGS, "debug_file": os.devnull}.items():
        tess.TessBaseAPISetVariable(handle, name.encode(), value.encode())
    return _Api(tess=tess, lept=lept, handle=handle)


def _declare(tess: ctypes.CDLL, lept: ctypes.CDLL) -> None:
    """The C functions' signatures (pointers must not be truncated to ``int``)."""
    pointer, text = ctypes.c_void_p, ctypes.c_char_p
    signatures: dict[str, tuple[list[type], type | None]] = {
        "TessBaseAPICreate": ([], pointer),
        "TessBaseAPIDelete": ([pointer], None),
        "TessBaseAPIInit2": ([pointer, text, text, ctypes.c_int], ctypes.c_int),
        "TessBaseAPISetVariable": ([pointer, text, text], ctypes.c_int),
        "TessBaseAPISetPageSegMode": ([pointer, ctypes.c_int], None),
        "TessBaseAPISetImage2": ([pointer, pointer], None),
        "TessBaseAPIRecognize": ([pointer, pointer], ctypes.c_int),
        "TessBaseAPIGetTsvText": ([pointer, ctypes.c_int], pointer),
        "TessBaseAPIClear": ([pointer], None),
        "TessDeleteText": ([pointer], None),
        "TessMonitorCreate": ([], pointer),
        "TessMonitorDelete": ([pointer], None),
        "TessMonitorSetDeadlineMSecs": ([pointer, ctypes.c_int], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(tess, name)
        function.argtypes, function.restype = arguments, result
    lept.pixReadMem.argtypes, lept.pixReadMem.restype = [text, ctypes.c_size_t], pointer
    lept.pixDestroy.argtypes, lept.pixDestroy.restype = [ctypes.POINTER(pointer)], None
