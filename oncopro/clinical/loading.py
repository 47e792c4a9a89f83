"""Loading a content pack: YAML files, validated at load, compiled once.

Anything wrong in a pack (an unknown symptom or field, a threshold outside
its scale, a duplicate id, a level that does not exist, a missing source or
string) stops the load with a `PackError` naming the file and the entry, so
a mistake shows at start-up and never as a silent miss at 2 a.m.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from oncopro.clinical.conditions import Compiler, Condition, mentions_findings, required_symptoms
from oncopro.clinical.documents import (
    AdviceFileDoc,
    FieldDoc,
    FollowUpsDoc,
    ManifestDoc,
    RuleDoc,
    RulesDoc,
    SymptomsDoc,
    TherapiesDoc,
)
from oncopro.clinical.errors import ConditionError, PackError
from oncopro.clinical.kinds import KINDS
from oncopro.clinical.pack import (
    BUILTIN_PACK,
    AdviceCard,
    Case,
    FollowUp,
    Pack,
    Rule,
)
from oncopro.clinical.specs import FieldSpec, SymptomSpec, TherapyCatalog


def _read_yaml(path: Path, name: str | None = None) -> Any:
    name = name or path.name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(name, "(file)", "the file is missing") from None
    except yaml.YAMLError as error:
        raise PackError(name, "(file)", f"is not valid YAML: {error}") from None


def _parse[T: BaseModel](model: type[T], data: Any, filename: str) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        entry = _describe_location(data, first["loc"])
        raise PackError(filename, entry, _plain_pydantic(first)) from None


def _describe_location(data: Any, loc: tuple[Any, ...]) -> str:
    """rules.3.level -> "rules[3] (key U2), level"."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            label = f"[{step}]"
            item = node[step] if step < len(node) else None
            if isinstance(item, Mapping) and "key" in item:
                label += f" (key {item['key']})"
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, Mapping) else None
    return ", ".join(parts) or "(top)"


def _plain_pydantic(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a known setting"
    if kind == "literal_error":
        return f"{error['input']!r} is not allowed: {error['msg'].removeprefix('Input should be ')}"
    return str(error["msg"]).removeprefix("Value error, ")


@functools.cache
def load_pack(path: Path | str | None = None) -> Pack:
    """Load, validate and compile a pack (cached per folder)."""
    folder = Path(path) if path is not None else BUILTIN_PACK
    manifest = _parse(ManifestDoc, _read_yaml(folder / "pack.yaml"), "pack.yaml")
    files = manifest.files
    symptoms_file = files.get("symptoms", "symptoms.yaml")
    symptoms_doc = _parse(SymptomsDoc, _read_yaml(folder / symptoms_file), symptoms_file)
    therapies_file = files.get("therapies", "therapies.yaml")
    therapies_doc = _parse(TherapiesDoc, _read_yaml(folder / therapies_file), therapies_file)
    rules_file = files.get("rules", "rules.yaml")
    rules_data = _read_yaml(folder / rules_file)
    rules_doc = _parse(RulesDoc, rules_data, rules_file)
    advice_file = files.get("advice", "advice.yaml")
    advice_doc = _parse(AdviceFileDoc, _read_yaml(folder / advice_file), advice_file)

    symptoms = _build_symptoms(symptoms_doc, symptoms_file)
    temperature_id = symptoms_doc.temperature.id
    groups = _build_groups(symptoms_doc, symptoms, symptoms_file)
    for index, symptom in enumerate(manifest.weekly_core):
        if symptom not in symptoms:
            raise PackError("pack.yaml", f"weekly_core[{index}]", f"unknown symptom '{symptom}'")
    catalog = _build_therapies(therapies_doc, therapies_file)

    rules, patterns = _build_rules(rules_doc, symptoms, temperature_id, groups, catalog, rules_file)
    compiler = Compiler(
        symptoms, catalog, temperature_id, {r.id for r in rules} | {r.key for r in rules}
    )
    advice = _build_advice(advice_doc, compiler, advice_file)
    follow_ups_file = files.get("followups", "followups.yaml")
    follow_ups_doc = _parse(FollowUpsDoc, _read_yaml(folder / follow_ups_file), follow_ups_file)
    follow_ups = _build_follow_ups(follow_ups_doc, symptoms, compiler, follow_ups_file)
    pack = Pack(
        id=manifest.id,
        version=manifest.version,
        name=manifest.name,
        languages=tuple(manifest.languages),
        lookback_days=manifest.lookback_days,
        weekly_core=tuple(manifest.weekly_core),
        symptoms=symptoms,
        temperature_id=temperature_id,
        groups=groups,
        scales={name: tuple(labels) for name, labels in symptoms_doc.scales.items()},
        therapies=catalog,
        rules=rules,
        patterns=patterns,
        advice=advice,
        follow_ups=follow_ups,
        path=folder,
    )
    strings = english_strings(pack, symptoms_doc, rules_doc, advice_doc)
    _check_translations(folder, manifest.languages, strings)
    return replace(pack, strings=strings)


def _build_symptoms(doc: SymptomsDoc, filename: str) -> dict[str, SymptomSpec]:
    for scale, scale_labels in doc.scales.items():
        if len(scale_labels) != 5:
            raise PackError(filename, f"scales, {scale}", "must have five labels (0-4)")
    scales = {name: tuple(scale_labels) for name, scale_labels in doc.scales.items()}
    for name, spec in doc.fields.items():
        where = f"fields, {name}"
        kind = KINDS.get(spec.kind)
        if kind is None:
            raise PackError(
                filename, where, f"has an unknown kind '{spec.kind}' (one of {', '.join(KINDS)})"
            )
        if (problem := kind.needs(_field_spec(name, spec), scales)) is not None:
            raise PackError(filename, where, problem)

    symptoms: dict[str, SymptomSpec] = {}
    for symptom_id, symptom in doc.symptoms.items():
        where = f"symptoms, {symptom_id}"
        fields: dict[str, FieldSpec] = {}
        for field_name in symptom.fields:
            if field_name not in doc.fields:
                raise PackError(filename, f"{where}, fields", f"unknown field '{field_name}'")
            fields[field_name] = _field_spec(field_name, doc.fields[field_name])
        if len(set(symptom.fields)) != len(symptom.fields):
            raise PackError(filename, f"{where}, fields", "names a field twice")
        questions: dict[str, str] = {}
        caregiver_questions: dict[str, str] = {}
        caregiver_label = symptom.caregiver_label or symptom.label
        if symptom.caregiver_label is None and SAYS_YOU.search(symptom.label):
            raise PackError(filename, where, "its label says 'you': give a caregiver_label")
        for field_name in fields:
            text = symptom.questions.get(field_name) or doc.questions.get(field_name)
            if not text or not text.strip():
                raise PackError(filename, where, f"has no question for '{field_name}'")
            questions[field_name] = text.replace("{label}", symptom.label)
            own = symptom.caregiver_questions.get(field_name)
            if own is None and field_name in symptom.questions:
                if SAYS_YOU.search(text):
                    raise PackError(
                        filename,
                        where,
                        f"its question for '{field_name}' says 'you': "
                        "give one in caregiver_questions",
                    )
                own = text  # the same words suit her caregiver
            caregiver_text = own or doc.caregiver_questions.get(field_name)
            if not caregiver_text:
                raise PackError(filename, where, f"has no caregiver question for '{field_name}'")
            caregiver_questions[field_name] = caregiver_text.replace("{label}", caregiver_label)
        for field_name in symptom.caregiver_questions:
            if field_name not in fields:
                raise PackError(
                    filename, f"{where}, caregiver_questions", f"unknown field '{field_name}'"
                )
        for field_name in symptom.questions:
            if field_name not in fields:
                raise PackError(filename, f"{where}, questions", f"unknown field '{field_name}'")
        for field_name, labels in symptom.choices.items():
            choice_field = fields.get(field_name)
            if choice_field is None or set(labels) != set(choice_field.choices):
                raise PackError(
                    filename, f"{where}, choices", f"must label every choice of '{field_name}'"
                )
        for field_name, field_spec in fields.items():
            if field_spec.kind == "choice" and field_name not in symptom.choices:
                raise PackError(filename, where, f"has no labels for the choices of '{field_name}'")
        symptoms[symptom_id] = SymptomSpec(
            id=symptom_id,
            label=symptom.label,
            fields=fields,
            synonyms=tuple(symptom.synonyms),
            questions=questions,
            choice_labels=symptom.choices,
            caregiver_label=caregiver_label,
            caregiver_questions=caregiver_questions,
        )
    reading = doc.temperature
    if reading.id in symptoms:
        raise PackError(filename, "temperature, id", f"'{reading.id}' is also a symptom id")
    symptoms[reading.id] = SymptomSpec(
        id=reading.id,
        label=reading.label,
        fields={"value": FieldSpec("value", "number", reading.min, reading.max, unit=reading.unit)},
        synonyms=tuple(reading.synonyms),
        questions={"value": reading.question},
        choice_labels={},
        is_reading=True,
        caregiver_label=reading.label,
        caregiver_questions={"value": reading.caregiver_question},
        fahrenheit_questions=(reading.question_fahrenheit, reading.caregiver_question_fahrenheit),
    )
    return symptoms


def _field_spec(name: str, doc: FieldDoc) -> FieldSpec:
    low, high = KINDS[doc.kind].fixed_range or (doc.min, doc.max)
    return FieldSpec(
        name=name,
        kind=doc.kind,
        low=low,
        high=high,
        choices=tuple(doc.choices or ()),
        max_length=doc.max_length,
        unit=doc.unit,
        scale=doc.scale,
        worse_when_higher=doc.worse_when_higher,
        worse_answer=doc.worse_answer,
    )


def _build_groups(
    doc: SymptomsDoc, symptoms: Mapping[str, SymptomSpec], filename: str
) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name, members in doc.groups.items():
        for member in members:
            if member not in symptoms:
                raise PackError(filename, f"groups, {name}", f"unknown symptom '{member}'")
        groups[name] = tuple(members)
    if "graded" in groups:
        raise PackError(filename, "groups, graded", "'graded' is built in: every graded symptom")
    groups["graded"] = tuple(s.id for s in symptoms.values() if s.graded)
    return groups


def _build_therapies(doc: TherapiesDoc, filename: str) -> TherapyCatalog:
    seen: dict[str, str] = {}
    classes: dict[str, frozenset[str]] = {}
    for name, therapy_class in doc.classes.items():
        for drug in therapy_class.drugs:
            if drug != drug.strip().lower():
                raise PackError(filename, f"classes, {name}", f"'{drug}' must be lower case")
            if drug in seen:
                raise PackError(
                    filename, f"classes, {name}", f"'{drug}' is already in '{seen[drug]}'"
                )
            seen[drug] = name
        classes[name] = frozenset(therapy_class.drugs)
    groups: dict[str, frozenset[str]] = {}
    for name, members in doc.groups.items():
        if name in classes:
            raise PackError(filename, f"groups, {name}", "is also the name of a class")
        for member in members:
            if member not in classes:
                raise PackError(filename, f"groups, {name}", f"unknown class '{member}'")
        groups[name] = frozenset(members)
    lists: dict[str, frozenset[str]] = {}
    for name, drugs in doc.drug_lists.items():
        if name in classes or name in groups:
            raise PackError(filename, f"drug_lists, {name}", "is also a class or group name")
        for drug in drugs:
            if drug not in seen:
                raise PackError(filename, f"drug_lists, {name}", f"'{drug}' is in no class")
        lists[name] = frozenset(drugs)
    for name in doc.unknown_drugs_count_as:
        if name not in classes and name not in groups:
            raise PackError(filename, "unknown_drugs_count_as", f"unknown class or group '{name}'")
    return TherapyCatalog(
        classes=classes,
        groups=groups,
        drug_lists=lists,
        unknown_counts_as=frozenset(doc.unknown_drugs_count_as),
    )


REFERENCE_ID = re.compile(
    r"^(E[1-7]|U([1-9]|1[0-5])|M1|S([1-9]|1[0-9]|2[01])|P-(bone|lung|liver|brain|local))$"
)


def _substitute(node: Any, symptom: str) -> Any:
    if isinstance(node, str):
        return node.replace("$symptom", symptom)
    if isinstance(node, list):
        return [_substitute(item, symptom) for item in node]
    if isinstance(node, Mapping):
        return {key: _substitute(value, symptom) for key, value in node.items()}
    return node


def _build_rules(
    doc: RulesDoc,
    symptoms: Mapping[str, SymptomSpec],
    temperature_id: str,
    groups: Mapping[str, tuple[str, ...]],
    catalog: TherapyCatalog,
    filename: str,
) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    keys: set[str] = set()
    earlier: set[str] = set()
    built: dict[str, list[Rule]] = {"rules": [], "patterns": []}
    for section, entries in (("rules", doc.rules), ("patterns", doc.patterns)):
        for index, entry in enumerate(entries):
            where = f"{section}[{index}] (key {entry.key})"
            if entry.key in keys:
                raise PackError(filename, where, f"the key '{entry.key}' is used twice")
            keys.add(entry.key)
            rule_id = entry.id or entry.key
            if not REFERENCE_ID.match(rule_id):
                raise PackError(filename, where, f"'{rule_id}' is not a REFERENCE.md finding id")
            for implemented in entry.implements:
                if not REFERENCE_ID.match(implemented):
                    raise PackError(
                        filename, where, f"implements '{implemented}', not a REFERENCE.md id"
                    )
            if section == "patterns":
                if entry.site is None:
                    raise PackError(filename, where, "a spread pattern needs its site")
            elif entry.site is not None or entry.even_if_known:
                raise PackError(filename, where, "only spread patterns have a site")
            if not entry.cases and not (entry.because and entry.because.strip()):
                raise PackError(filename, where, "needs an explanation ('because')")
            if entry.otherwise_ongoing is not None and not entry.otherwise_because:
                raise PackError(filename, where, "'otherwise_ongoing' needs 'otherwise_because'")
            members: tuple[str | None, ...] = (None,)
            if entry.for_each is not None:
                if entry.for_each not in groups:
                    raise PackError(filename, where, f"unknown group '{entry.for_each}'")
                members = groups[entry.for_each]
            compiler = Compiler(symptoms, catalog, temperature_id, set(earlier))
            for member in members:
                try:
                    built[section].append(_compile_rule(entry, rule_id, member, compiler))
                except ConditionError as error:
                    suffix = f" (for {member})" if member else ""
                    raise PackError(filename, where + suffix, str(error)) from None
            earlier.update({entry.key, rule_id})
    return tuple(built["rules"]), tuple(built["patterns"])


def _compile_rule(entry: RuleDoc, rule_id: str, symptom: str | None, compiler: Compiler) -> Rule:
    def expanded(node: Mapping[str, Any]) -> Any:
        return _substitute(node, symptom) if symptom else node

    def compiled(node: Mapping[str, Any]) -> Condition:
        return compiler.compile(expanded(node))

    level = entry.level
    alert_on_change = entry.alert_on_change
    if alert_on_change is None:
        alert_on_change = level == "soon"
    return Rule(
        key=entry.key,
        id=rule_id,
        implements=tuple(entry.implements or [rule_id]),
        level=level,
        counts=entry.counts,
        symptom=symptom,
        condition=compiled(entry.when),
        cases=tuple(Case(compiled(case.when), case.because) for case in entry.cases),
        because=entry.because,
        otherwise_ongoing=compiled(entry.otherwise_ongoing) if entry.otherwise_ongoing else None,
        otherwise_because=entry.otherwise_because,
        alert_on_change=alert_on_change,
        site=entry.site,
        even_if_known=entry.even_if_known,
        source=entry.source,
        needs=required_symptoms(expanded(entry.when), compiler.temperature_id),
        uses_findings=mentions_findings(entry.model_dump()),
    )


def _build_advice(doc: AdviceFileDoc, compiler: Compiler, filename: str) -> tuple[AdviceCard, ...]:
    cards: list[AdviceCard] = []
    seen: set[str] = set()
    for index, card in enumerate(doc.cards):
        where = f"cards[{index}] (key {card.key})"
        if card.key in seen:
            raise PackError(filename, where, f"the key '{card.key}' is used twice")
        seen.add(card.key)
        for name in ("title", "text", "source"):
            if not getattr(card, name).strip():
                raise PackError(filename, where, f"'{name}' is empty")
        try:
            condition = compiler.compile(card.when)
        except ConditionError as error:
            raise PackError(filename, where, str(error)) from None
        cards.append(AdviceCard(card.key, condition, card.title, card.text, card.source))
    return tuple(cards)


FOLLOW_UP_ID = re.compile(r"^F\d+$")
# Words that speak to the patient, which a caregiver's question must not use for her.
SAYS_YOU = re.compile(r"\b(you|your|yourself)\b", re.I)


def _build_follow_ups(
    doc: FollowUpsDoc,
    symptoms: Mapping[str, SymptomSpec],
    compiler: Compiler,
    filename: str,
) -> tuple[FollowUp, ...]:
    built = []
    for index, entry in enumerate(doc.follow_ups):
        where = f"follow_ups[{index}] (id {entry.id})"
        if not FOLLOW_UP_ID.match(entry.id):
            raise PackError(filename, where, f"'{entry.id}' is not a HOME-CARE.md follow-up id")
        if not entry.reported and entry.when is None:
            raise PackError(filename, where, "needs 'reported' or 'when': what makes it due")
        if not entry.ask:
            raise PackError(filename, where, "'ask' is empty")
        if not entry.source.strip():
            raise PackError(filename, where, "needs its source")
        for name in entry.reported:
            if name not in symptoms:
                raise PackError(filename, where, f"reported: unknown symptom '{name}'")
        ask: dict[str, list[str]] = {}
        for item in entry.ask:
            symptom_id, _, field_name = item.partition(".")
            spec = symptoms.get(symptom_id)
            if spec is None:
                raise PackError(filename, where, f"ask: unknown symptom '{symptom_id}'")
            if field_name and (spec.is_reading or field_name not in spec.fields):
                raise PackError(
                    filename, where, f"ask: symptom '{symptom_id}' has no field '{field_name}'"
                )
            names = ask.setdefault(symptom_id, [])
            names.extend([field_name] if field_name else list(spec.fields))
        for name in entry.red_flags:
            if name not in ask:
                raise PackError(filename, where, f"red flag '{name}' is not asked")
        for implemented in entry.needed_by:
            if not REFERENCE_ID.match(implemented):
                raise PackError(
                    filename, where, f"needed_by '{implemented}', not a REFERENCE.md id"
                )
        try:
            when = compiler.compile(entry.when) if entry.when is not None else None
            only_if = compiler.compile(entry.only_if) if entry.only_if is not None else None
        except ConditionError as error:
            raise PackError(filename, where, str(error)) from None
        built.append(
            FollowUp(
                id=entry.id,
                reported=frozenset(entry.reported),
                when=when,
                only_if=only_if,
                ask={s: tuple(dict.fromkeys(names)) for s, names in ask.items()},
                red_flags=frozenset(entry.red_flags),
                needed_by=tuple(entry.needed_by),
                source=entry.source,
            )
        )
    return tuple(built)


# --- strings -------------------------------------------------------------------------


def english_strings(
    pack: Pack, symptoms_doc: SymptomsDoc, rules_doc: RulesDoc, advice_doc: AdviceFileDoc
) -> dict[str, str]:
    """Every patient-facing string of the pack, by a stable key. English is
    written inline in the YAML; `strings/<language>.yaml` files translate
    these keys."""
    strings: dict[str, str] = {}
    for symptom in pack.symptoms.values():
        strings[f"symptom.{symptom.id}.label"] = symptom.label
        if symptom.caregiver_label != symptom.label:
            strings[f"symptom.{symptom.id}.caregiver_label"] = symptom.caregiver_label
        for field_name, text in symptom.questions.items():
            strings[f"symptom.{symptom.id}.question.{field_name}"] = text
            caregiver_text = symptom.caregiver_questions[field_name]
            if caregiver_text != text:
                strings[f"symptom.{symptom.id}.caregiver_question.{field_name}"] = caregiver_text
        if symptom.fahrenheit_questions is not None:
            to_her, to_caregiver = symptom.fahrenheit_questions
            strings[f"symptom.{symptom.id}.question_fahrenheit"] = to_her
            strings[f"symptom.{symptom.id}.caregiver_question_fahrenheit"] = to_caregiver
        for field_name, choice_labels in symptom.choice_labels.items():
            for choice, text in choice_labels.items():
                strings[f"symptom.{symptom.id}.choice.{field_name}.{choice}"] = text
    for scale, scale_labels in symptoms_doc.scales.items():
        for value, text in enumerate(scale_labels):
            strings[f"scale.{scale}.{value}"] = text
    for entry in (*rules_doc.rules, *rules_doc.patterns):
        if entry.because:
            strings[f"finding.{entry.key}.because"] = entry.because
        for index, case in enumerate(entry.cases):
            strings[f"finding.{entry.key}.case{index}.because"] = case.because
        if entry.otherwise_because:
            strings[f"finding.{entry.key}.otherwise_because"] = entry.otherwise_because
    for card in advice_doc.cards:
        strings[f"advice.{card.key}.title"] = card.title
        strings[f"advice.{card.key}.text"] = card.text
    return strings


def _check_translations(folder: Path, languages: list[str], english: Mapping[str, str]) -> None:
    for language in languages:
        if language == "en":
            continue
        filename = f"strings/{language}.yaml"
        data = _read_yaml(folder / filename, filename)
        if not isinstance(data, Mapping):
            raise PackError(filename, "(top)", "must map string keys to translations")
        for key in english:
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise PackError(filename, key, "is missing a translation")
        for key in data:
            if key not in english:
                raise PackError(filename, str(key), "is not a string of this pack")
