package plot

import (
	"image"
	"image/color"
	"sort"
)

// paletted turns a rendered plot into a 256-colour image, which PNG stores
// at about a third of the size. A plot has few colours of its own (seeds,
// always kept, so that a thin red ring never turns grey) and the rest are
// anti-aliasing blends: the palette takes the seeds, then the most
// frequent colours, and every other colour maps to its nearest entry,
// which keeps edges smooth to the eye (no dithering, so flat areas stay
// flat). An image with 256 colours or fewer is converted exactly.
func paletted(src *image.RGBA, seeds []color.Color) *image.Paletted {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	at := func(x, y int) uint32 {
		i := src.PixOffset(b.Min.X+x, b.Min.Y+y)
		p := src.Pix[i : i+4 : i+4]
		return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
	}
	// Plots are mostly long runs of one colour: count runs, not pixels,
	// to spare a map update per pixel.
	counts := map[uint32]int{}
	for y := 0; y < h; y++ {
		run, prev := 0, at(0, y)
		for x := 0; x < w; x++ {
			if k := at(x, y); k != prev {
				counts[prev] += run
				run, prev = 0, k
			}
			run++
		}
		counts[prev] += run
	}
	keys := make([]uint32, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var top []uint32
	inTop := map[uint32]bool{}
	if len(keys) > 256 {
		for _, c := range seeds {
			r, g, b, a := c.RGBA() // premultiplied, as image.RGBA stores
			k := uint32(r>>8)<<24 | uint32(g>>8)<<16 | uint32(b>>8)<<8 | uint32(a>>8)
			if !inTop[k] && len(top) < 64 {
				top, inTop[k] = append(top, k), true
			}
		}
	}
	for _, k := range keys {
		if len(top) == 256 {
			break
		}
		if !inTop[k] {
			top, inTop[k] = append(top, k), true
		}
	}
	pal := make(color.Palette, len(top))
	index := make(map[uint32]uint8, len(counts))
	for i, k := range top {
		pal[i] = rgbaOf(k)
		index[k] = uint8(i)
	}
	for _, k := range keys {
		if !inTop[k] {
			index[k] = nearest(top, k)
		}
	}
	dst := image.NewPaletted(b, pal)
	for y := 0; y < h; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		prev := at(0, y)
		idx := index[prev]
		for x := range row {
			if k := at(x, y); k != prev {
				prev, idx = k, index[k]
			}
			row[x] = idx
		}
	}
	return dst
}

func rgbaOf(k uint32) color.RGBA {
	return color.RGBA{R: uint8(k >> 24), G: uint8(k >> 16), B: uint8(k >> 8), A: uint8(k)}
}

// nearest is the index of the palette colour closest to k (squared
// distance over R, G, B and A).
func nearest(pal []uint32, k uint32) uint8 {
	c := rgbaOf(k)
	best, bestD := 0, -1
	for i, pk := range pal {
		p := rgbaOf(pk)
		dr, dg, db, da := int(p.R)-int(c.R), int(p.G)-int(c.G), int(p.B)-int(c.B), int(p.A)-int(c.A)
		d := dr*dr + dg*dg + db*db + da*da
		if bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return uint8(best)
}
