// Cross-check of Minilateral Ledger keys and checkpoints against Go's
// golang.org/x/mod/sumdb/note, in both directions. Run with ./run-go-interop.sh.
//
//	interop verify VKEY NOTEFILE   verify a note signed by us; prints the text
//	interop generate NAME          print a Go-generated signer key and its vkey
//	interop sign SKEYFILE TEXTFILE print a note signed by Go
package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	switch os.Args[1] {
	case "verify":
		v, err := note.NewVerifier(os.Args[2])
		check(err)
		msg, err := os.ReadFile(os.Args[3])
		check(err)
		n, err := note.Open(msg, note.VerifierList(v))
		check(err)
		fmt.Printf("OK verified by %s (%d unverified signatures ignored)\n%s", n.Sigs[0].Name, len(n.UnverifiedSigs), n.Text)
	case "generate":
		skey, vkey, err := note.GenerateKey(rand.Reader, os.Args[2])
		check(err)
		fmt.Println(skey)
		fmt.Println(vkey)
	case "sign":
		skey, err := os.ReadFile(os.Args[2])
		check(err)
		s, err := note.NewSigner(strings.TrimSpace(string(skey)))
		check(err)
		text, err := os.ReadFile(os.Args[3])
		check(err)
		msg, err := note.Sign(&note.Note{Text: string(text)}, s)
		check(err)
		os.Stdout.Write(msg)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
}
