// Command tlog_tiles_check reads a Minilateral Ledger server through the C2SP
// tlog-tiles API with Go's golang.org/x/mod/sumdb/tlog, and checks that proofs
// built from its tiles verify against its signed checkpoint.
//
// Go's Tile.Path() is the sumdb layout (tile/H/L/..., "data" for entries); the
// C2SP layout has no height and says "entries", so the paths are written here.
//
// Build and run in GOPATH mode with Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o check tlog_tiles_check.go
//	./check -url http://127.0.0.1:8080 -vkey VKEY [-old-checkpoint FILE | -old-size N] [-indexes 0,5,99]
package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8 // C2SP tiles are 256 hashes wide

var client = &http.Client{Timeout: 30 * time.Second}

func main() {
	url := flag.String("url", "", "server URL")
	vkey := flag.String("vkey", "", "the log's verifier key")
	oldCheckpoint := flag.String("old-checkpoint", "", "an older signed checkpoint of the same log")
	oldSize := flag.Int64("old-size", 0, "an older tree size (when there is no older checkpoint)")
	indexList := flag.String("indexes", "0", "entries to prove, comma-separated")
	flag.Parse()
	verifier, err := note.NewVerifier(*vkey)
	check(err, "vkey")

	// The latest checkpoint, signed by the log.
	body, err := fetch(*url + "/checkpoint")
	check(err, "checkpoint")
	tree, err := openCheckpoint(body, verifier)
	check(err, "checkpoint")

	tr := &c2spTileReader{url: *url}
	thr := tlog.TileHashReader(tree, tr)
	// The tree hash recomputed from tiles must be the signed one.
	th, err := tlog.TreeHash(tree.N, thr)
	check(err, "tree hash from tiles")
	if th != tree.Hash {
		fail("tree hash from tiles %v differs from the checkpoint's %v", th, tree.Hash)
	}

	// Inclusion proofs built by Go from tiles, and the server's own tlog-proof bundles.
	indexes := parseIndexes(*indexList, tree.N)
	for _, i := range indexes {
		rh := recordHash(*url, tree.N, i)
		p, err := tlog.ProveRecord(tree.N, i, thr)
		check(err, fmt.Sprintf("ProveRecord(%d, %d)", tree.N, i))
		check(tlog.CheckRecord(p, tree.N, tree.Hash, i, rh), fmt.Sprintf("CheckRecord(%d)", i))
		checkTlogProof(*url, verifier, tree, i, rh)
	}

	// A consistency proof from an older size to the checkpoint, and proofs in the older
	// tree, which read the partial tiles of that size.
	old := tlog.Tree{N: *oldSize}
	if *oldCheckpoint != "" {
		text, err := os.ReadFile(*oldCheckpoint)
		check(err, "old checkpoint")
		old, err = openCheckpoint(text, verifier)
		check(err, "old checkpoint")
	}
	if old.N > 0 && old.N <= tree.N {
		oh, err := tlog.TreeHash(old.N, thr)
		check(err, "old tree hash")
		if *oldCheckpoint != "" && oh != old.Hash {
			fail("the tiles give the old tree the hash %v, its checkpoint says %v", oh, old.Hash)
		}
		old.Hash = oh
		p, err := tlog.ProveTree(tree.N, old.N, thr)
		check(err, "ProveTree")
		check(tlog.CheckTree(p, tree.N, tree.Hash, old.N, old.Hash), "CheckTree")
		othr := tlog.TileHashReader(old, tr)
		for _, i := range indexes {
			if i >= old.N {
				continue
			}
			p, err := tlog.ProveRecord(old.N, i, othr)
			check(err, fmt.Sprintf("ProveRecord(%d, %d)", old.N, i))
			check(tlog.CheckRecord(p, old.N, old.Hash, i, recordHash(*url, old.N, i)), "CheckRecord in the old tree")
		}
	}
	fmt.Printf("ok: checkpoint of %d verified; %d inclusion proofs from tiles and as tlog-proof bundles; "+
		"consistency %d -> %d; %d tile requests (%d partial)\n",
		tree.N, len(indexes), old.N, tree.N, tr.requests, tr.partial)
}

// c2spTileReader fetches tiles by their C2SP paths.
type c2spTileReader struct {
	url      string
	requests int
	partial  int
}

func (r *c2spTileReader) Height() int { return height }

func (r *c2spTileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := fetch(r.url + c2spPath(t))
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", c2spPath(t), len(data), t.W*tlog.HashSize)
		}
		r.requests++
		if t.W < 1<<height {
			r.partial++
		}
		out[i] = data
	}
	return out, nil
}

func (r *c2spTileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// c2spPath is the C2SP tlog-tiles path of t: /tile/<L>/<N>[.p/<W>], with "entries"
// for level -1 and N in 3-digit groups, all but the last prefixed with "x".
func c2spPath(t tlog.Tile) string {
	level := strconv.Itoa(t.L)
	if t.L == -1 {
		level = "entries"
	}
	n := t.N
	groups := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		groups = fmt.Sprintf("x%03d/%s", n%1000, groups)
	}
	path := "/tile/" + level + "/" + groups
	if t.W < 1<<height {
		path += fmt.Sprintf(".p/%d", t.W)
	}
	return path
}

// recordHash fetches entry i from the entry bundle of the tree of size n and hashes it.
func recordHash(url string, n, i int64) tlog.Hash {
	t := tlog.Tile{H: height, L: -1, N: i >> height, W: 1 << height}
	if rest := n - t.N<<height; rest < 1<<height {
		t.W = int(rest)
	}
	data, err := fetch(url + c2spPath(t))
	check(err, "entry bundle")
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 || len(data) < 2+int(data[0])<<8|int(data[1]) {
			fail("%s: truncated entry bundle", c2spPath(t))
		}
		size := int(data[0])<<8 | int(data[1])
		entries = append(entries, data[2:2+size])
		data = data[2+size:]
	}
	if len(entries) != t.W {
		fail("%s: %d entries, want %d", c2spPath(t), len(entries), t.W)
	}
	return tlog.RecordHash(entries[i-t.N<<height])
}

// checkTlogProof fetches /proof/<i> and checks the c2sp.org/tlog-proof@v1 bundle: its
// checkpoint is the log's, of the same tree, and its hashes prove record hash rh.
func checkTlogProof(url string, verifier note.Verifier, tree tlog.Tree, i int64, rh tlog.Hash) {
	body, err := fetch(fmt.Sprintf("%s/proof/%d", url, i))
	check(err, "tlog-proof")
	head, checkpoint, found := bytes.Cut(body, []byte("\n\n"))
	lines := strings.Split(string(head), "\n")
	if !found || len(lines) < 2 || lines[0] != "c2sp.org/tlog-proof@v1" || lines[1] != fmt.Sprintf("index %d", i) {
		fail("proof %d: not a tlog-proof bundle for index %d", i, i)
	}
	var proof tlog.RecordProof
	for _, l := range lines[2:] {
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != tlog.HashSize {
			fail("proof %d: bad hash line %q", i, l)
		}
		var hash tlog.Hash
		copy(hash[:], h)
		proof = append(proof, hash)
	}
	pt, err := openCheckpoint(checkpoint, verifier)
	check(err, fmt.Sprintf("proof %d checkpoint", i))
	if pt != tree {
		fail("proof %d: carries the checkpoint of %d, not the latest %d", i, pt.N, tree.N)
	}
	check(tlog.CheckRecord(proof, tree.N, tree.Hash, i, rh), fmt.Sprintf("tlog-proof %d", i))
}

// openCheckpoint verifies a C2SP checkpoint note and returns its size and root.
func openCheckpoint(msg []byte, verifier note.Verifier) (tlog.Tree, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return tlog.Tree{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		return tlog.Tree{}, errors.New("not a checkpoint of this log")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return tlog.Tree{}, err
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return tlog.Tree{}, errors.New("bad root hash")
	}
	tree := tlog.Tree{N: size}
	copy(tree.Hash[:], root)
	return tree, nil
}

func parseIndexes(list string, n int64) []int64 {
	var out []int64
	for _, f := range strings.Split(list, ",") {
		i, err := strconv.ParseInt(f, 10, 64)
		check(err, "indexes")
		if i < 0 || i >= n {
			fail("index %d is not in the tree of %d", i, n)
		}
		out = append(out, i)
	}
	return out
}

func fetch(url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

func check(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tlog_tiles_check: "+format+"\n", args...)
	os.Exit(1)
}
