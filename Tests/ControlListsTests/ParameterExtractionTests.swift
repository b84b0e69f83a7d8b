import ControlCodes
import ControlLists
import Testing

/// Parameter extraction on real paragraphs of Annex I of Regulation (EU) 2021/821
/// (consolidated 15 Nov 2025; © European Union), read from ../shared/data.
@Suite struct ParameterExtractionTests {
    func params(_ code: String) throws -> [Parameter] {
        try #require(try TestData.euList().entry(code)).parameters
    }

    func has(_ ps: [Parameter], _ term: String, _ cmp: Parameter.Comparator, _ value: Double, _ baseUnit: String)
        -> Bool
    {
        ps.contains {
            $0.termKey == term && $0.comparator == cmp && abs($0.baseValue - value) <= 1e-9 * max(1, abs(value))
                && $0.baseUnit == baseUnit
        }
    }

    @Test(.needsEUAnnex) func beamEnergyOrMore() throws {
        let ps = try params("3B001.b.2")
        #expect(has(ps, "beam energy", .greaterOrEqual, 20_000, "eV"), "\(ps)")
        #expect(has(ps, "beam current", .greaterOrEqual, 0.01, "A"), "\(ps)")
    }

    @Test(.needsEUAnnex) func wavelengthShorterThan() throws {
        let ps = try params("3B001.f.1.a")
        #expect(has(ps, "light source wavelength", .lessThan, 193e-9, "m"), "\(ps)")
        #expect(ps.first?.threshold == "< 193 nm")
    }

    @Test(.needsEUAnnex) func featureSizeOrLess() throws {
        let ps = try params("3B001.f.1.b")
        #expect(ps.contains { $0.comparator == .lessOrEqual && $0.value == "45" && $0.unit == "nm" }, "\(ps)")
    }

    @Test(.needsEUAnnex) func equalToOrSmallerThan() throws {
        #expect(has(try params("3B001.f.4.b.1"), "minimum beam size", .lessOrEqual, 15e-9, "m"))
    }

    @Test(.needsEUAnnex) func celsiusIsNormalizedToKelvin() throws {
        let ps = try params("3B001.b.5")
        #expect(
            ps.contains { $0.unit == "°C" && abs($0.baseValue - 873.15) < 1e-9 && $0.comparator == .greaterOrEqual },
            "\(ps)")
    }

    @Test(.needsEUAnnex) func exponentsAreRestored() throws {
        let ps = try params("4A506.a.1")
        #expect(
            ps.contains { $0.termKey == "c-not error" && $0.comparator == .lessOrEqual && $0.baseValue == 1e-4 },
            "\(ps)")
        let ps3 = try params("4A506.a.3")
        #expect(ps3.contains { $0.termKey == "c-not error" && abs($0.baseValue - 2e-3) < 1e-15 }, "\(ps3)")
        let sem = try params("3B503.d")
        #expect(sem.contains { abs($0.baseValue - 2e8) < 1 && $0.comparator == .greaterThan }, "\(sem)")
    }

    @Test(.needsEUAnnex) func microwattsAndTemperatureOfAPhrase() throws {
        let ps = try params("3A504.a")
        #expect(has(ps, "cooling power", .greaterOrEqual, 600e-6, "W"), "\(ps)")
        #expect(has(ps, "temperature", .lessOrEqual, 0.1, "K"), "\(ps)")
        // The parenthetical conversion (-273,05 °C) is not a second threshold.
        #expect(!ps.contains { $0.unit == "°C" })
    }

    @Test(.needsEUAnnex) func decimalCommaAndKelvin() throws {
        let ps = try params("3B504.a")
        #expect(ps.contains { $0.comparator == .lessOrEqual && $0.baseValue == 4.5 && $0.baseUnit == "K" }, "\(ps)")
    }

    @Test func unitsAndExponentsInPlainText() {
        let ps = ParameterExtractor.extract(from: "a beam energy of 20 keV or more")
        #expect(ps.count == 1 && ps[0].description == "beam energy ≥ 20 keV" && ps[0].baseValue == 20_000)
        let w = ParameterExtractor.extract(from: "wavelength shorter than 193 nm")
        #expect(w.first?.description == "wavelength < 193 nm")
        #expect(ParameterExtractor.extract(from: "An overlay error less than 27 nm (mean + 3 sigma);").count == 1)
    }

    @Test func unsureParametersAreMarkedNotDropped() {
        let ps = ParameterExtractor.extract(
            from: "Total Dose | 5× 103 Gy (silicon); Single Event Upset | 1× 10-8 Error/bit/day")
        #expect(ps.isEmpty || ps.allSatisfy { $0.isParsed || $0.unparsedReason != nil })
        let b = ParameterExtractor.extract(from: "Stage placement accuracy better than 30 nm")
        #expect(b.first?.comparator == .betterThan && b.first?.isParsed == false)
    }

    @Test func paragraphReferencesAreNotThresholds() {
        #expect(
            ParameterExtractor.extract(from: "Masks and reticles, designed for integrated circuits specified in 3A001;")
                .isEmpty)
    }
}
