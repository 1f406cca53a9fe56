/**
 * Chest X-ray datasets for CheXNet: one interface ({@link org.chexnet.dataset.DatasetFormat},
 * {@link org.chexnet.dataset.Dataset}, registered in {@link org.chexnet.dataset.Datasets}) over
 * ChestX-ray14 ({@link org.chexnet.dataset.ChestXray14}, NIH's metadata in {@link
 * org.chexnet.dataset.DataEntryCsv}), CheXpert, MIMIC-CXR-JPG and PadChest; label states and
 * policies ({@link org.chexnet.dataset.LabelPolicy}), findings harmonised across datasets ({@link
 * org.chexnet.dataset.HarmonisedFindings}), label counts from metadata alone ({@link
 * org.chexnet.dataset.DatasetSummary}), synthetic stand-ins in each layout, decoding ({@link
 * org.chexnet.dataset.ImageDecoder}), batching ({@link org.chexnet.dataset.BatchLoader}) and a
 * digest of the data a run used ({@link org.chexnet.dataset.DatasetDigest}). docs/datasets.md
 * describes the layouts and the harmonised table.
 */
package org.chexnet.dataset;
