"""Acolhe NLU: intents and entities of WhatsApp-style pt-BR and English messages.

Public API::

    interpreter = build_interpreter(backend="builtin", cache_dir=Path("var/nlu"))
    result = interpreter.parse("quero remarcar pra segunda que vem às 14h")
    result.intent.name, result.entities            # reschedule_training, (date, time)
    train(cache_dir=Path("var/nlu"))                # retrain from nlu/data/
    evaluate(interpreter, "nlu/heldout/test.yml")   # report like `rasa test nlu`

``nlu`` is a leaf library: it imports nothing from ``bot`` or ``backoffice``.
"""

from nlu.builtin import BuiltinInterpreter
from nlu.cache import DEFAULT_DATA_DIR, TrainInfo
from nlu.errors import BackendError, ModelError, NLUError, TrainingDataError
from nlu.evaluation import evaluate
from nlu.factory import BACKENDS, build_interpreter, train
from nlu.rasa_client import RasaInterpreter
from nlu.types import ENTITY_TYPES, INTENTS, Entity, IntentScore, Interpreter, NLUResult

__all__ = [
    "BACKENDS",
    "DEFAULT_DATA_DIR",
    "ENTITY_TYPES",
    "INTENTS",
    "BackendError",
    "BuiltinInterpreter",
    "Entity",
    "IntentScore",
    "Interpreter",
    "ModelError",
    "NLUError",
    "NLUResult",
    "RasaInterpreter",
    "TrainInfo",
    "TrainingDataError",
    "build_interpreter",
    "evaluate",
    "train",
    "builtin",
    "cache",
    "cli",
    "entities",
    "errors",
    "evaluation",
    "factory",
    "features",
    "metrics",
    "model",
    "normalization",
    "rasa_client",
    "training",
    "training_data",
    "types",
]
