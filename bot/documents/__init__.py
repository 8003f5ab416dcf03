"""Documents: intake checks, encrypted storage, OCR of cartão CNPJ / CNH / RG (and the CIN),
comprovante de endereço and contrato social, enrichment.

The lead's code calls only the names below; the modules behind them are private.

- ``inspect_upload(data, limits=IntakeLimits(...)) -> Upload`` or ``DocumentRejected``
- ``DocumentStore(root, fernet_key).put/get/delete/exists``
- ``read_document(data, kind=..., options=ReadOptions(today=...)) -> Extraction``
- ``OcrPool(max_workers=..., timeout=...)`` and ``await pool.read(data, kind=...)``
  (``ReaderCrashed`` or ``ReadTimeout`` when the document's own reading failed)
- ``BrasilApiClient(base_url).cnpj(...)/.cep(...)`` (async)
- ``cross_check(kind, fields, today=..., typed_cnpj=..., contact_cpf=..., contact_name=...)``
- ``corroborate(extraction, company=..., address=..., typed=Typed(...))``: confidence moved by
  Receita's record, the CEP's address and the client's typed data
- ``run_ocr(path, kind=...)`` for ``onboard ocr``
"""

from bot.documents.brasilapi import (
    AddressRecord,
    BrasilApiClient,
    CompanyRecord,
    Partner,
    TtlCache,
)
from bot.documents.command import run_ocr
from bot.documents.confidence import ASSERTED
from bot.documents.corroboration import Typed, corroborate
from bot.documents.crosscheck import (
    Mismatch,
    check_cnh_expiry,
    compare_cnpj,
    compare_cpf,
    compare_name,
    cross_check,
    names_match,
)
from bot.documents.errors import (
    DocumentError,
    DocumentNotFound,
    DocumentRejected,
    EnrichmentError,
    NotFound,
    ReaderCrashed,
    ReadTimeout,
    Unavailable,
)
from bot.documents.intake import IntakeLimits, Notice, Upload, inspect_upload
from bot.documents.pool import OcrPool
from bot.documents.quality import ImageQuality
from bot.documents.reading import Extraction, ReadOptions, read_document
from bot.documents.store import DocumentStore

__all__ = [
    "ASSERTED",
    "AddressRecord",
    "BrasilApiClient",
    "CompanyRecord",
    "DocumentError",
    "DocumentNotFound",
    "DocumentRejected",
    "DocumentStore",
    "EnrichmentError",
    "Extraction",
    "ImageQuality",
    "IntakeLimits",
    "Mismatch",
    "NotFound",
    "Notice",
    "OcrPool",
    "Partner",
    "ReadOptions",
    "ReadTimeout",
    "ReaderCrashed",
    "TtlCache",
    "Typed",
    "Unavailable",
    "Upload",
    "check_cnh_expiry",
    "compare_cnpj",
    "compare_cpf",
    "compare_name",
    "corroborate",
    "cross_check",
    "inspect_upload",
    "names_match",
    "read_document",
    "run_ocr",
    "accents",
    "bill",
    "bill_dates",
    "card_grey",
    "brasilapi",
    "cin",
    "command",
    "company_card",
    "confidence",
    "contract",
    "contract_company",
    "contract_names",
    "contract_numbering",
    "contract_pages",
    "contract_partners",
    "corroboration",
    "crosscheck",
    "errors",
    "extraction",
    "fields",
    "folding",
    "glyphs",
    "glare",
    "glare_field",
    "identifiers",
    "identity",
    "imaging",
    "intake",
    "kinds",
    "label_words",
    "labels",
    "lexicon",
    "mrz",
    "orientation",
    "page",
    "parsers",
    "passes",
    "pdf",
    "perspective",
    "photo_advice",
    "plausible",
    "pool",
    "quality",
    "reading",
    "rereading",
    "results",
    "store",
    "tesseract",
]
