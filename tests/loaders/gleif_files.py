"""Generated GLEIF golden-copy files of any size, shaped like the real ones.

The records follow LEI-CDF 2.1 and RR-CDF 1.1 as GLEIF publishes them (namespaces, element
order, header, registration block), about 1.5 kB per LEI record, with valid LEIs (ISO 17442
check digits). Every third entity is consolidated by an earlier one, and each consolidated
entity declares its ultimate parent, so the declared and the computed parents agree.
"""

from __future__ import annotations

import random
from pathlib import Path

from schema.values import lei_check_digits

__all__ = ["lei_of", "write_gleif_pair"]

_LEI_HEADER = """<?xml version="1.0" encoding="UTF-8"?><lei:LEIData \
xmlns:lei="http://www.gleif.org/data/schema/leidata/2016" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <lei:LEIHeader>
    <lei:ContentDate>2023-11-06T08:20:40Z</lei:ContentDate>
    <lei:FileContent>GLEIF_FULL_PUBLISHED</lei:FileContent>
    <lei:RecordCount>{count}</lei:RecordCount>
  </lei:LEIHeader>
<lei:LEIRecords>
"""
_LEI_RECORD = """<lei:LEIRecord xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"
               xmlns:gleif="http://www.gleif.org/data/schema/golden-copy/extensions/1.0">
   <lei:LEI>{lei}</lei:LEI>
   <lei:Entity>
      <lei:LegalName xml:lang="en">{name}</lei:LegalName>
      <lei:LegalAddress xml:lang="en">
         <lei:FirstAddressLine>{number} Harbour Road</lei:FirstAddressLine>
         <lei:City>Springfield</lei:City>
         <lei:Country>{country}</lei:Country>
         <lei:PostalCode>{postcode}</lei:PostalCode>
      </lei:LegalAddress>
      <lei:HeadquartersAddress xml:lang="en">
         <lei:FirstAddressLine>{number} Harbour Road</lei:FirstAddressLine>
         <lei:City>Springfield</lei:City>
         <lei:Country>{country}</lei:Country>
         <lei:PostalCode>{postcode}</lei:PostalCode>
      </lei:HeadquartersAddress>
      <lei:RegistrationAuthority>
         <lei:RegistrationAuthorityID>RA000{ra:03d}</lei:RegistrationAuthorityID>
         <lei:RegistrationAuthorityEntityID>{regid}</lei:RegistrationAuthorityEntityID>
      </lei:RegistrationAuthority>
      <lei:LegalJurisdiction>{country}</lei:LegalJurisdiction>
      <lei:EntityCategory>{category}</lei:EntityCategory>
      <lei:LegalForm>
         <lei:EntityLegalFormCode>8888</lei:EntityLegalFormCode>
      </lei:LegalForm>
      <lei:EntityStatus>ACTIVE</lei:EntityStatus>
   </lei:Entity>
   <lei:Registration>
      <lei:InitialRegistrationDate>2014-09-23T00:00:00+02:00</lei:InitialRegistrationDate>
      <lei:LastUpdateDate>2023-08-17T08:31:04.159+02:00</lei:LastUpdateDate>
      <lei:RegistrationStatus>{status}</lei:RegistrationStatus>
      <lei:NextRenewalDate>2024-09-26T00:00:00+02:00</lei:NextRenewalDate>
      <lei:ManagingLOU>097900BEFH0000000217</lei:ManagingLOU>
      <lei:ValidationSources>FULLY_CORROBORATED</lei:ValidationSources>
   </lei:Registration>
</lei:LEIRecord>
"""
_LEI_FOOTER = "</lei:LEIRecords>\n</lei:LEIData>\n"

_RR_HEADER = """<?xml version="1.0" encoding="UTF-8"?><rr:RelationshipData \
xmlns:rr="http://www.gleif.org/data/schema/rr/2016" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <rr:Header>
    <rr:ContentDate>2023-11-06T09:29:01Z</rr:ContentDate>
    <rr:FileContent>GLEIF_FULL_PUBLISHED</rr:FileContent>
    <rr:RecordCount>{count}</rr:RecordCount>
  </rr:Header>
  <rr:RelationshipRecords>
"""
_RR_RECORD = """<rr:RelationshipRecord xmlns:rr="http://www.gleif.org/data/schema/rr/2016">
   <rr:Relationship>
      <rr:StartNode>
         <rr:NodeID>{child}</rr:NodeID>
         <rr:NodeIDType>LEI</rr:NodeIDType>
      </rr:StartNode>
      <rr:EndNode>
         <rr:NodeID>{parent}</rr:NodeID>
         <rr:NodeIDType>LEI</rr:NodeIDType>
      </rr:EndNode>
      <rr:RelationshipType>{type}</rr:RelationshipType>
      <rr:RelationshipPeriods>
         <rr:RelationshipPeriod>
            <rr:StartDate>2019-06-30T00:00:00+00:00</rr:StartDate>
            <rr:PeriodType>RELATIONSHIP_PERIOD</rr:PeriodType>
         </rr:RelationshipPeriod>
      </rr:RelationshipPeriods>
      <rr:RelationshipStatus>ACTIVE</rr:RelationshipStatus>
      <rr:RelationshipQuantifiers>
         <rr:RelationshipQuantifier>
            <rr:MeasurementMethod>ACCOUNTING_CONSOLIDATION</rr:MeasurementMethod>
            <rr:QuantifierAmount>100.00</rr:QuantifierAmount>
            <rr:QuantifierUnits>PERCENTAGE</rr:QuantifierUnits>
         </rr:RelationshipQuantifier>
      </rr:RelationshipQuantifiers>
   </rr:Relationship>
   <rr:Registration>
      <rr:InitialRegistrationDate>2023-01-10T17:29:10+00:00</rr:InitialRegistrationDate>
      <rr:LastUpdateDate>2023-01-11T11:21:01+00:00</rr:LastUpdateDate>
      <rr:RegistrationStatus>PUBLISHED</rr:RegistrationStatus>
      <rr:NextRenewalDate>2024-01-13T00:00:00+00:00</rr:NextRenewalDate>
      <rr:ManagingLOU>529900T8BM49AURSDO55</rr:ManagingLOU>
      <rr:ValidationSources>FULLY_CORROBORATED</rr:ValidationSources>
   </rr:Registration>
</rr:RelationshipRecord>
"""
_RR_FOOTER = "  </rr:RelationshipRecords>\n</rr:RelationshipData>\n"

_COUNTRIES = ("DE", "FR", "GB", "US", "SK", "AU", "LU", "CN", "JP", "NL")


def lei_of(index: int) -> str:
    """A valid LEI for entity number ``index``: prefix ``9999``, 14 digits, check digits.

    >>> from schema.values import lei_is_valid
    >>> lei_of(7)[:18], lei_is_valid(lei_of(7))
    ('999900000000000007', True)
    """
    base = f"9999{index:014d}"
    return base + lei_check_digits(base)


def write_gleif_pair(folder: Path, records: int, *, seed: int = 1) -> tuple[Path, Path, int]:
    """Write ``lei.xml`` with ``records`` LEI records and ``rr.xml`` with their
    consolidation relationships; return both paths and the number of relationship records.

    Entity ``i`` (for ``i`` a multiple of 3 and above 0) is directly consolidated by entity
    ``i - 1 - k`` for a random ``k`` among the previous few, and declares the top of that
    chain as its ultimate parent.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lei_path, rr_path = folder / "lei.xml", folder / "rr.xml"
    parent_of: dict[int, int] = {}
    with lei_path.open("w", encoding="utf-8") as out:
        out.write(_LEI_HEADER.format(count=records))
        chunk = []
        for i in range(records):
            if i % 3 == 0 and i > 0:
                parent_of[i] = i - 1 - rng.randrange(min(i, 5))
            chunk.append(_LEI_RECORD.format(
                lei=lei_of(i), name=f"GENERATED HOLDING {i} &amp; CO. LIMITED", number=i % 997,
                country=_COUNTRIES[i % len(_COUNTRIES)], postcode=f"{i % 99999:05d}",
                ra=i % 700, regid=f"HRB {i}", category="FUND" if i % 11 == 0 else "GENERAL",
                status="LAPSED" if i % 13 == 0 else "ISSUED"))
            if len(chunk) == 2000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        out.write(_LEI_FOOTER)
    relationship_count = 0
    with rr_path.open("w", encoding="utf-8") as out:
        out.write(_RR_HEADER.format(count=2 * len(parent_of)))
        for child, parent in parent_of.items():
            top = parent
            while top in parent_of:
                top = parent_of[top]
            out.write(_RR_RECORD.format(child=lei_of(child), parent=lei_of(parent),
                                        type="IS_DIRECTLY_CONSOLIDATED_BY"))
            out.write(_RR_RECORD.format(child=lei_of(child), parent=lei_of(top),
                                        type="IS_ULTIMATELY_CONSOLIDATED_BY"))
            relationship_count += 2
        out.write(_RR_FOOTER)
    return lei_path, rr_path, relationship_count
